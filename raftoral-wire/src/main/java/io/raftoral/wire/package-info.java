/**
 * The versioned wire schema of Raft traffic between nodes ({@code raftoral.v1}, {@code src/main/proto/raft.proto};
 * the protobuf classes are generated into {@code io.raftoral.wire.v1}) and {@link io.raftoral.wire.WireCodec},
 * which converts it to and from the core types and refuses untrusted input only ever with a
 * {@link io.raftoral.wire.MalformedFrameException}. Both network transports (gRPC in {@code raftoral-grpc}, HTTP in
 * {@code raftoral-http}) carry exactly this schema; this module depends on protobuf only, so an HTTP-only node does
 * not pull in gRPC.
 */
package io.raftoral.wire;
