package io.raftoral.group;

/**
 * A Raft group as its host sees it: the host drives every hosted group with one node-wide ticker and routes inbound
 * messages to it by its id. Implemented by the group runtime; users of a {@link RaftGroup} never need it.
 */
public interface HostedGroup {

  /** The id of the Raft group (the execution cluster id for workflow groups, 0 for the management group). */
  long groupId();

  /** Advances the group's logical clock by one tick. Called on any thread; the group hops onto its own context. */
  void tick();

  /**
   * Whether the group is quiesced here (idle, no heartbeats, no election timer): the host then ticks it only to
   * check node-level liveness. Any thread.
   */
  default boolean isQuiesced() {
    return false;
  }
}
