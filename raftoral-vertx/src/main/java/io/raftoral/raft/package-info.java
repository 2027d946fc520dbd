/**
 * The Raft consensus algorithm as a pure, deterministic state machine, in the style of etcd-io/raft.
 *
 * <p>{@link io.raftoral.raft.RaftNode} owns no threads, clock, network or disk. Its inputs are
 * {@link io.raftoral.raft.RaftNode#tick()}, {@link io.raftoral.raft.RaftNode#step(Message)} and the client
 * operations (propose, membership change, leadership transfer, read index); its output is a
 * {@link io.raftoral.raft.Ready} batch that the caller persists, sends and applies before calling
 * {@link io.raftoral.raft.RaftNode#advance()}. Randomness (election timeouts) is injected, so a run is fully
 * reproducible from its seed. This package depends on nothing but the JDK.
 *
 * <p>Section references (for example "§5.4.1") point to Ongaro and Ousterhout, "In Search of an Understandable
 * Consensus Algorithm (Extended Version)", 2014; "thesis §x" points to Ongaro's PhD thesis "Consensus: Bridging
 * Theory and Practice", 2014.
 */
package io.raftoral.raft;
