/**
 * The management layer (DESIGN §4): cluster 0, of which every node is a member, holds the node directory, allocates
 * node ids and keeps the execution clusters with their desired membership ({@link ManagementStateMachine}, read
 * through the immutable {@link ManagementView}). The {@link ClusterManager} decides placement, splits,
 * consolidation and failure handling as pure functions; the {@link MembershipPlanner} picks the next single
 * membership change of a Raft group.
 *
 * <p>The {@link ManagementService} verticle runs both on each node. It is a facade over package-private classes
 * with one job each: the registration of a joining node through its peers, the endpoint that answers other nodes'
 * registrations and heartbeats, the heartbeat sender, the management leader's round, the reconciliation of each
 * execution cluster this node leads, and the start and stop of the execution groups this node hosts (through an
 * {@link ExecutionGroupFactory}). Their asynchronous calls on Raft groups all go through one class, {@code
 * GroupCalls}.
 */
package io.raftoral.management;
