package io.raftoral.management;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.raftoral.group.CommandCodec;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The commands of the management state machine (cluster 0). Each is a deterministic function of the state: times
 * are carried by the command (assigned by the management leader that proposes it), never read in {@code apply}.
 * Encoded as JSON with a {@code type} field ({@link #CODEC}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ManagementCommand.RegisterNode.class, name = "RegisterNode"),
    @JsonSubTypes.Type(value = ManagementCommand.Heartbeat.class, name = "Heartbeat"),
    @JsonSubTypes.Type(value = ManagementCommand.MarkFailed.class, name = "MarkFailed"),
    @JsonSubTypes.Type(value = ManagementCommand.NodeLeaving.class, name = "NodeLeaving"),
    @JsonSubTypes.Type(value = ManagementCommand.RemoveNode.class, name = "RemoveNode"),
    @JsonSubTypes.Type(value = ManagementCommand.CreateCluster.class, name = "CreateCluster"),
    @JsonSubTypes.Type(value = ManagementCommand.SetDesiredMembers.class, name = "SetDesiredMembers"),
    @JsonSubTypes.Type(value = ManagementCommand.RemoveCluster.class, name = "RemoveCluster"),
    @JsonSubTypes.Type(value = ManagementCommand.ReportMembership.class, name = "ReportMembership"),
    @JsonSubTypes.Type(value = ManagementCommand.SetMetadata.class, name = "SetMetadata"),
    @JsonSubTypes.Type(value = ManagementCommand.Batch.class, name = "Batch"),
    @JsonSubTypes.Type(value = ManagementCommand.SetDraining.class, name = "SetDraining"),
})
public sealed interface ManagementCommand {

  /** JSON codec of management commands (polymorphic through the {@code type} field). */
  CommandCodec<ManagementCommand> CODEC = CommandCodec.json(ManagementCommand.class);

  /**
   * Registers a node and allocates its id (the result's {@code value}). Idempotent: the same {@code requestId} gets
   * the id allocated before. The address alone never gives an id back: a node asking for any id at an address
   * already registered has no storage of that id (it lost its disk), so it gets a new id and the address's former
   * node is marked {@link NodeState#FAILED} (the cluster manager replaces it). Only a node asking for the id
   * registered at its address, the id recorded in its storage, keeps it.
   *
   * @param address where the node is reached
   * @param requestId chosen by the registering node, unique per registration attempt series (retries reuse it)
   * @param requestedNodeId 0 ({@code ANY_NODE_ID}) to allocate the next free id, for a node without storage;
   *     otherwise the id recorded in the node's storage (the founder, or a node that rejoins after it was declared
   *     failed or removed while it was cut off), refused when another address holds it or another id is registered
   *     at this address
   */
  record RegisterNode(String address, String requestId, long requestedNodeId) implements ManagementCommand {

    /** The {@code requestedNodeId} of a node that lets cluster 0 allocate its id. */
    static final long ANY_NODE_ID = 0;

    public RegisterNode {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(requestId, "requestId");
    }
  }

  /**
   * The management leader heard from {@code nodeId} at {@code timeMillis} (its own clock). A heartbeat of a
   * {@link NodeState#FAILED} node makes it alive again; times only move forward.
   */
  record Heartbeat(long nodeId, long timeMillis) implements ManagementCommand {}

  /**
   * Declares {@code nodeId} failed, unless a heartbeat was recorded since the cluster manager looked
   * ({@code lastSeenMillis} no longer matches).
   */
  record MarkFailed(long nodeId, long lastSeenMillis) implements ManagementCommand {}

  /** {@code nodeId} shuts down gracefully: it is moved out of its clusters, then removed. */
  record NodeLeaving(long nodeId) implements ManagementCommand {}

  /**
   * Forgets {@code nodeId}: refused while it is alive or any execution cluster still refers to it (desired or
   * reported).
   */
  record RemoveNode(long nodeId) implements ManagementCommand {}

  /**
   * Creates execution cluster {@code clusterId} founded by {@code members}. Refused unless {@code clusterId} is the
   * next free cluster id, so that a stale decision cannot create a cluster twice.
   */
  record CreateCluster(long clusterId, Set<Long> members) implements ManagementCommand {
    public CreateCluster {
      members = ExecutionCluster.frozen(members);
    }
  }

  /** Sets the membership the cluster manager wants for execution cluster {@code clusterId}. */
  record SetDesiredMembers(long clusterId, Set<Long> members) implements ManagementCommand {
    public SetDesiredMembers {
      members = ExecutionCluster.frozen(members);
    }
  }

  /** Retires execution cluster {@code clusterId}: its members stop the group and delete its data. */
  record RemoveCluster(long clusterId) implements ManagementCommand {}

  /**
   * The leader of execution cluster {@code clusterId} reports its committed Raft membership as of its commit index
   * {@code index}; older reports than the one held are ignored.
   */
  record ReportMembership(long clusterId, Set<Long> voters, Set<Long> learners, long index)
      implements ManagementCommand {
    public ReportMembership {
      voters = ExecutionCluster.frozen(voters);
      learners = ExecutionCluster.frozen(learners);
    }
  }

  /** Sets ({@code value} non-null) or removes ({@code value} null) a cluster-wide metadata entry. */
  record SetMetadata(String key, String value) implements ManagementCommand {
    public SetMetadata {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * Applies {@code commands} all or none: refused as a whole if the topology version is not
   * {@code expectedTopologyVersion} (the view the decision was made on is stale; -1 skips that check) or if any
   * command is refused. The cluster manager proposes each decision round as one batch.
   */
  record Batch(long expectedTopologyVersion, List<ManagementCommand> commands) implements ManagementCommand {

    /** The {@code expectedTopologyVersion} of a batch valid in any topology (heartbeats). */
    static final long UNGUARDED = -1;

    public Batch {
      commands = List.copyOf(commands);
    }
  }

  /**
   * An operator drains {@code nodeId} ({@code draining} true: an alive node becomes {@link NodeState#DRAINING}) or
   * undrains it (false: a draining node becomes {@link NodeState#ALIVE}). Refused for an unknown node and for a
   * failed or leaving one (a drain needs a running node to move work off; a failed one is removed instead).
   */
  record SetDraining(long nodeId, boolean draining) implements ManagementCommand {}
}
