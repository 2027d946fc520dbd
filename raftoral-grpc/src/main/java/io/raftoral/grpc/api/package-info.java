/**
 * The client-facing gRPC API of a node ({@link io.raftoral.grpc.api.WorkflowGrpcApi}: {@code raftoral.WorkflowManagement},
 * {@code raftoral.RaftService} for discovery, {@code grpc.health.v1.Health}, reflection; schema
 * {@code raftoral_api.proto}, Java classes in {@code io.raftoral.grpc.api.proto}) and its network clients
 * ({@link io.raftoral.grpc.api.GrpcWorkflowClient}, {@link io.raftoral.grpc.api.GrpcManagementClient}).
 */
package io.raftoral.grpc.api;
