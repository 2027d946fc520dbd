package io.raftoral.group;

/**
 * The outcome of a committed proposal.
 *
 * @param result what the state machine returned
 * @param index the log index the command was committed at
 */
public record Committed<R>(R result, long index) {}
