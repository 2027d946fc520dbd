/**
 * Durable workflows whose checkpoints are replicated by Raft: {@link io.raftoral.workflow.WorkflowRuntime} runs on
 * one execution cluster (a Raft group), every member executes each workflow, the owner produces the checkpoint
 * journal and the other members consume it, so any member can take over when the owner dies.
 */
package io.raftoral.workflow;
