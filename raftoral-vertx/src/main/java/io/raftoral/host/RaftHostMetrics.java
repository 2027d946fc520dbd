package io.raftoral.host;

/**
 * Counters of a {@link RaftHost}.
 *
 * @param groups hosted groups
 * @param deliveredMessages inbound messages handed to groups
 * @param unknownClusterMessages inbound messages for group ids not hosted here
 * @param malformedMessages inbound envelopes refused as malformed
 * @param nonMemberMessages inbound messages from servers outside the group's configuration
 * @param rejectedMessages messages the Raft core failed on (logged)
 * @param outboundBatches batches sent to peers
 * @param outboundMessages messages sent to peers (in those batches)
 */
public record RaftHostMetrics(int groups, long deliveredMessages, long unknownClusterMessages,
    long malformedMessages, long nonMemberMessages, long rejectedMessages, long outboundBatches,
    long outboundMessages) {}
