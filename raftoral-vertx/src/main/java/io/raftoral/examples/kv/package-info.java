/** A replicated key-value store built on a Raft group, without workflows: the generic state-machine API in use. */
package io.raftoral.examples.kv;
