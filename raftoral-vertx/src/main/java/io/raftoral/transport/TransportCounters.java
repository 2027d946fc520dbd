package io.raftoral.transport;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link NetworkTransportMetrics}, shared by the network transports (gRPC, HTTP). Updated
 * from any event loop (sending and receiving run on different ones), read by {@link #snapshot()}.
 */
public final class TransportCounters {

  public final LongAdder sent = new LongAdder();
  public final LongAdder droppedNoAddress = new LongAdder();
  public final LongAdder droppedBackPressure = new LongAdder();
  public final LongAdder droppedUnreachable = new LongAdder();
  public final LongAdder droppedTooLarge = new LongAdder();
  public final LongAdder refusedByPeer = new LongAdder();
  public final LongAdder reconnects = new LongAdder();
  public final LongAdder received = new LongAdder();
  public final LongAdder rejectedMalformed = new LongAdder();
  public final LongAdder rejectedMisaddressed = new LongAdder();
  public final LongAdder rejectedTooLarge = new LongAdder();

  public NetworkTransportMetrics snapshot() {
    return new NetworkTransportMetrics(sent.sum(), droppedNoAddress.sum(), droppedBackPressure.sum(),
        droppedUnreachable.sum(), droppedTooLarge.sum(), refusedByPeer.sum(), reconnects.sum(), received.sum(),
        rejectedMalformed.sum(), rejectedMisaddressed.sum(), rejectedTooLarge.sum());
  }
}
