package io.raftoral.raft.sim;

import io.raftoral.raft.PersistentState;
import io.raftoral.raft.RaftConfig;
import io.raftoral.raft.RaftNode;
import java.util.Random;

/** Creates the Raft core the simulator runs; tests substitute deliberately broken variants. */
@FunctionalInterface
public interface RaftNodeFactory {

  RaftNodeFactory STANDARD = RaftNode::new;

  RaftNode create(RaftConfig config, PersistentState state, Random random);
}
