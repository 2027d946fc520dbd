package io.raftoral.raft;

/** The role of a server (§5.1), with the PreVote phase of thesis §9.6 as its own role. */
public enum Role {
  FOLLOWER,
  PRE_CANDIDATE,
  CANDIDATE,
  LEADER
}
