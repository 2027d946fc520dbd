/**
 * The node-to-node Raft transport over gRPC: {@link io.raftoral.grpc.transport.GrpcTransport} (one client stream
 * per peer, reconnect with backoff, drop-and-count back-pressure) and its
 * {@link io.raftoral.grpc.transport.GrpcTransportOptions}.
 */
package io.raftoral.grpc.transport;
