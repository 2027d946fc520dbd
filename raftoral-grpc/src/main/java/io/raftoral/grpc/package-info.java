/**
 * gRPC for Raftoral (module {@code raftoral-grpc}): the node-to-node Raft transport as a gRPC service over the
 * versioned wire schema of {@code raftoral-wire} (shared with the HTTP transport), streaming and batched, that
 * implements the core's {@code Transport} SPI; and the gRPC client API: workflow management (run, wait, list,
 * status, terminate), discovery and registration, and the standard {@code grpc.health.v1.Health} service.
 */
package io.raftoral.grpc;
