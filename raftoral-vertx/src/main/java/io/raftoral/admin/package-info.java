/**
 * Operator commands of a node: the cluster's topology as this node sees it, leadership transfer, snapshots, removal
 * of a failed node, drain before maintenance, and backups ({@link io.raftoral.admin.NodeAdmin}). The HTTP and gRPC
 * APIs serve them under {@code /admin} and as {@code raftoral.Admin}; the demo's {@code admin} commands call those.
 */
package io.raftoral.admin;
