/**
 * gRPC for Raftoral (module {@code raftoral-grpc}): the protobuf schema (one versioned wire format
 * for Raft messages shared with the HTTP transport), the streaming, batched node-to-node Raft transport that
 * implements the core's {@code Transport} SPI, and the gRPC client API: workflow management (run, wait, list,
 * status, terminate), discovery and registration, and the standard {@code grpc.health.v1.Health} service.
 */
package io.raftoral.grpc;
