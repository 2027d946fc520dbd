package io.raftoral.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leader's ReadIndex bookkeeping (thesis §6.4) on its own, without a Raft node around it. */
class ReadOnlyTest {

  private static final long SELF = 1;

  private static byte[] ctx(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> contexts(List<ReadOnly.Status> released) {
    return released.stream().map(s -> new String(s.context, StandardCharsets.UTF_8)).toList();
  }

  @Test
  void aQueuedRequestCountsTheLeaderAsFirstAcknowledgement() {
    ReadOnly ro = new ReadOnly();
    assertThat(ro.addRequest(7, SELF, ctx("a"), SELF)).isTrue();
    assertThat(ro.recvAck(2, ctx("a"))).containsExactlyInAnyOrder(SELF, 2L);
  }

  @Test
  void aSecondRequestWithTheSameContextIsRefused() {
    ReadOnly ro = new ReadOnly();
    assertThat(ro.addRequest(7, 2, ctx("a"), SELF)).isTrue();
    assertThat(ro.addRequest(9, 2, ctx("a"), SELF)).isFalse();
    assertThat(ro.pending()).isEqualTo(1);
    assertThat(ro.advance(ctx("a")).get(0).index).isEqualTo(7);
  }

  @Test
  void anAcknowledgementForAnUnknownContextIsIgnored() {
    ReadOnly ro = new ReadOnly();
    assertThat(ro.recvAck(2, ctx("nope"))).isNull();
    assertThat(ro.advance(ctx("nope"))).isEmpty();
  }

  @Test
  void advancingAConfirmedRequestReleasesItAndEveryOlderOneInOrder() {
    ReadOnly ro = new ReadOnly();
    ro.addRequest(5, SELF, ctx("a"), SELF);
    ro.addRequest(6, 2, ctx("b"), SELF);
    ro.addRequest(7, SELF, ctx("c"), SELF);

    List<ReadOnly.Status> released = ro.advance(ctx("b"));

    assertThat(contexts(released)).containsExactly("a", "b");
    assertThat(released).extracting(s -> s.from).containsExactly(SELF, 2L);
    assertThat(released).extracting(s -> s.index).containsExactly(5L, 6L);
    assertThat(ro.pending()).isEqualTo(1);
    assertThat(new String(ro.lastPendingRequestContext(), StandardCharsets.UTF_8)).isEqualTo("c");
  }

  @Test
  void theNewestQueuedContextRidesOnHeartbeats() {
    ReadOnly ro = new ReadOnly();
    assertThat(ro.lastPendingRequestContext()).isNull();
    ro.addRequest(5, SELF, ctx("a"), SELF);
    ro.addRequest(5, SELF, ctx("b"), SELF);
    assertThat(new String(ro.lastPendingRequestContext(), StandardCharsets.UTF_8)).isEqualTo("b");
  }

  @Test
  void requestsDeferredUntilCommitAreHandedBackOnceInOrder() {
    ReadOnly ro = new ReadOnly();
    ro.deferUntilCommit(SELF, ctx("a"));
    ro.deferUntilCommit(3, ctx("b"));

    List<ReadOnly.Request> deferred = ro.takeAwaitingCommit();

    assertThat(deferred).extracting(ReadOnly.Request::from).containsExactly(SELF, 3L);
    assertThat(ro.takeAwaitingCommit()).isEmpty();
  }

  @Test
  void resetDropsEveryRequestInBothStages() {
    ReadOnly ro = new ReadOnly();
    ro.deferUntilCommit(SELF, ctx("a"));
    ro.addRequest(5, SELF, ctx("b"), SELF);

    ro.reset();

    assertThat(ro.pending()).isZero();
    assertThat(ro.takeAwaitingCommit()).isEmpty();
    assertThat(ro.recvAck(2, ctx("b"))).isNull();
  }
}
