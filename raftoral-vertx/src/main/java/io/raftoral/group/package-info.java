/**
 * One Raft group on Vert.x: the {@link io.raftoral.group.StateMachine} SPI that users implement, the
 * {@link io.raftoral.group.RaftGroup} handle to propose commands, read linearizably and change membership (lazy
 * Mutiny {@code Uni}s, answered on the group's event-loop context), and {@link io.raftoral.group.RaftGroupOptions}.
 * The verticle that drives the Raft core lives in {@code impl}, with one small class per kind of request.
 */
package io.raftoral.group;
