/**
 * How Raft messages travel between nodes: the {@link io.raftoral.transport.Transport} SPI (a batch of messages of
 * many groups to one peer per send), the in-JVM transport over the Vert.x event bus, and a fault-injecting wrapper
 * for tests. For the network transports (gRPC in {@code raftoral-grpc}, HTTP in {@code raftoral-http}, both over the
 * wire schema of {@code raftoral-wire}) the core holds what both share, written once: their base
 * ({@link io.raftoral.transport.NetworkTransport}: set-up, send path, inbound checks, own server, closing), their
 * common options ({@link io.raftoral.transport.NetworkTransportOptions}), the reconnect backoff per peer
 * ({@link io.raftoral.transport.PeerBackoff}), and what the management layer configures: the mutable peer directory
 * ({@link io.raftoral.transport.PeerAddresses}), TLS settings ({@link io.raftoral.transport.TransportTlsOptions}) and
 * their counters ({@link io.raftoral.transport.NetworkTransportMetrics}).
 */
package io.raftoral.transport;
