package io.raftoral.workflow;

import java.time.Instant;

/**
 * What the execution cluster knows of one workflow instance.
 *
 * @param workflowId the instance id
 * @param executionClusterId the execution cluster running it
 * @param workflowType the registered name
 * @param version the registered version
 * @param state running, completed, failed or terminated
 * @param ownerNode the member producing its journal
 * @param startedAt when the start was proposed (the proposer's clock)
 * @param endedAt when it ended, or null while running
 * @param checkpointCount journal entries recorded
 * @param inputJson the input as JSON text
 * @param resultJson the result as JSON text when completed, else null
 * @param errorType the failure's exception class name when failed, {@code "terminated"} when terminated, else null
 * @param errorMessage the failure message or the termination reason, else null
 */
public record WorkflowStatus(String workflowId, long executionClusterId, String workflowType, int version,
    WorkflowState state, long ownerNode, Instant startedAt, Instant endedAt, int checkpointCount, String inputJson,
    String resultJson, String errorType, String errorMessage) {
}
