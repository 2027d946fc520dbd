package io.raftoral.workflow.impl;

/**
 * A signal in a workflow's inbox: committed, not consumed yet.
 *
 * @param seq its number among the workflow's signals, in commit order (from 0)
 * @param name the signal's name
 * @param payload its payload, JSON text
 */
public record PendingSignal(long seq, String name, String payload) {}
