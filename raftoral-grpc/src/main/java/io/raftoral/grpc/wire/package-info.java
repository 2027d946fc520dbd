/**
 * The versioned wire schema of Raft traffic between nodes ({@code raftoral.v1}, {@code src/main/proto/raft.proto};
 * the protobuf classes are generated into {@code io.raftoral.grpc.wire.v1}) and {@link io.raftoral.grpc.wire.WireCodec},
 * which converts it to and from the core types and refuses untrusted input only ever with a
 * {@link io.raftoral.grpc.wire.MalformedFrameException}. Both network transports (gRPC here, HTTP in
 * {@code raftoral-http}) carry exactly this schema.
 */
package io.raftoral.grpc.wire;
