package io.raftoral.transport;

/**
 * Counters of a network transport (gRPC or HTTP), since it was created. Raft tolerates lost batches, so a transport
 * drops what it cannot deliver and counts it here, by reason, instead of queueing without bound or failing the
 * sender.
 *
 * @param sentBatches batches handed to the network (gRPC: written to an open stream; HTTP: answered by the peer)
 * @param droppedNoAddress batches for a peer missing from {@link PeerAddresses}
 * @param droppedBackPressure batches dropped because the peer's stream or in-flight window was full
 * @param droppedUnreachable batches dropped or lost while the peer was unreachable (connection failed or broke,
 *     backing off)
 * @param droppedTooLarge batches larger than the frame limit (the peer would refuse them)
 * @param refusedByPeer batches or streams a peer answered with an error (it could not decode them, they were for
 *     another node, too large): usually a version mismatch or a stale address
 * @param reconnects streams or connections to peers re-established after a failure
 * @param receivedBatches inbound batches decoded and handed to the receive handler
 * @param rejectedMalformed inbound frames refused as undecodable or invalid
 * @param rejectedMisaddressed inbound frames addressed to another node
 * @param rejectedTooLarge inbound frames over the size limit
 */
public record NetworkTransportMetrics(
    long sentBatches,
    long droppedNoAddress,
    long droppedBackPressure,
    long droppedUnreachable,
    long droppedTooLarge,
    long refusedByPeer,
    long reconnects,
    long receivedBatches,
    long rejectedMalformed,
    long rejectedMisaddressed,
    long rejectedTooLarge) {

  /** Every batch dropped on the sending side, whatever the reason. */
  public long droppedBatches() {
    return droppedNoAddress + droppedBackPressure + droppedUnreachable + droppedTooLarge;
  }

  /** Every inbound frame refused, whatever the reason. */
  public long rejectedFrames() {
    return rejectedMalformed + rejectedMisaddressed + rejectedTooLarge;
  }
}
