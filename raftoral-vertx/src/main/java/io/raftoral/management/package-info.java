/**
 * The management layer (DESIGN §4): cluster 0, of which every node is a member, holds the node directory, allocates
 * node ids and keeps the execution clusters with their desired membership ({@link
 * io.raftoral.management.ManagementStateMachine}, read through the immutable {@link
 * io.raftoral.management.ManagementView}). The {@link io.raftoral.management.ClusterManager} decides placement,
 * splits, consolidation and failure handling as pure functions; the {@link
 * io.raftoral.management.MembershipPlanner} picks the next single membership change of a group. The {@link
 * io.raftoral.management.ManagementService} verticle runs both on each node and starts and stops the node's
 * execution groups through an {@link io.raftoral.management.ExecutionGroupFactory}.
 */
package io.raftoral.management;
