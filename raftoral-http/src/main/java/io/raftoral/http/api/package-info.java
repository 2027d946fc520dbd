/**
 * The client-facing REST API of a node on Vert.x Web ({@link io.raftoral.http.api.WorkflowHttpApi}: workflows,
 * health, discovery, with the Raftoral quickstart's request and response shapes) and its network clients
 * ({@link io.raftoral.http.api.HttpWorkflowClient}, {@link io.raftoral.http.api.HttpManagementClient}).
 */
package io.raftoral.http.api;
