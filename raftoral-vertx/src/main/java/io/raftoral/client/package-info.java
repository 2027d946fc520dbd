/**
 * What the network clients of a node's APIs share, whatever their protocol: calling one of several equivalent nodes
 * ({@link io.raftoral.client.NodeFailover}) with their options ({@link io.raftoral.client.NetworkClientOptions}) and
 * base ({@link io.raftoral.client.NetworkWorkflowClient}), registering and sending heartbeats through seed nodes
 * ({@link io.raftoral.client.SeedManagementClient}), and the base of their protocol exceptions
 * ({@link io.raftoral.client.RemoteApiException}). Uses {@code workflow}, {@code management} and {@code transport};
 * used by the HTTP and gRPC modules.
 */
package io.raftoral.client;
