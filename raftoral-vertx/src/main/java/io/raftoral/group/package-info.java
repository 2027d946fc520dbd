/**
 * One Raft group on Vert.x: the {@link io.raftoral.group.StateMachine} SPI that users implement, the
 * {@link io.raftoral.group.RaftGroup} handle to propose commands, read linearizably and change membership, and
 * {@link io.raftoral.group.RaftGroupOptions}. The verticle that drives the Raft core lives in {@code impl}.
 */
package io.raftoral.group;
