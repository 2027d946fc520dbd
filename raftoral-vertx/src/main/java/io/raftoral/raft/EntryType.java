package io.raftoral.raft;

/** What a log entry carries. */
public enum EntryType {
  /** Application data for the state machine (an empty payload is the leader's no-op of §8). */
  NORMAL,
  /** An encoded {@link ConfigChange}; in effect on a server as soon as it is appended (thesis §4.1). */
  CONFIG_CHANGE
}
