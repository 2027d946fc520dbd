package io.raftoral.workflow.impl;

/**
 * A journal entry as the checkpoint store keeps it: its position, the entry, when the owner proposed it (its clock,
 * epoch ms; 0 when not recorded, as in journals of older nodes) and which owner node produced it (0 when not
 * recorded). Every replica stores the same values: they travel in the {@link WorkflowCommand.Append}.
 */
record StoredEntry(long position, JournalEntry entry, long at, long ownerNode) {}
