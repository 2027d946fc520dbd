/**
 * The runnable Raftoral node (module {@code demo}, artifact {@code raftoral-demo}): the command-line entry
 * point packaged as {@code raftoral-node.jar} ({@code --listen}, {@code --peers}, {@code --bootstrap},
 * {@code --storage-path}, {@code --transport grpc|http}, ...), the example workflows such as the built-in
 * {@code ping_pong} v1, and the benchmark driver.
 */
package io.raftoral.demo;
