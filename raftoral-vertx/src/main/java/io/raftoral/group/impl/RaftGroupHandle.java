package io.raftoral.group.impl;

import io.raftoral.async.Bridge;
import io.raftoral.group.CommandCodec;
import io.raftoral.group.Committed;
import io.raftoral.group.RaftGroup;
import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.RaftStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@link RaftGroup} a user holds: every operation is a lazy {@code Uni} that, on subscription, hands one request
 * to the group's verticle on its event-loop context, where its request class ({@link ProposalRequests},
 * {@link ReadRequests}, {@link MembershipChangeRequests}, {@link LeadershipTransferRequests}) takes it.
 */
final class RaftGroupHandle<C, R> implements RaftGroup<C, R> {

  private final RaftGroupVerticle<C, R> group;
  private final CommandCodec<C> codec;
  private final long requestTimeoutMillis;

  RaftGroupHandle(RaftGroupVerticle<C, R> group, CommandCodec<C> codec, long requestTimeoutMillis) {
    this.group = group;
    this.codec = codec;
    this.requestTimeoutMillis = requestTimeoutMillis;
  }

  @Override
  public long groupId() {
    return group.groupId();
  }

  @Override
  public long nodeId() {
    return group.nodeId();
  }

  @Override
  public Context context() {
    return group.context();
  }

  @Override
  public boolean isStopped() {
    return group.isStopped();
  }

  @Override
  public long millisSinceContact(long peer) {
    return group.millisSinceContact(peer);
  }

  @Override
  public RaftStatus status() {
    return group.status().get();
  }

  @Override
  public Uni<Committed<R>> propose(C command) {
    return propose(command, Duration.ofMillis(requestTimeoutMillis));
  }

  @Override
  public Uni<Committed<R>> propose(C command, Duration timeout) {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(timeout, "timeout");
    // Encoded on the subscriber's thread, off the group's event loop; a codec failure fails the Uni.
    return Uni.createFrom().deferred(() -> {
      byte[] encoded = codec.encode(command);
      return submit(promise -> group.proposals().propose(encoded, timeout, promise));
    });
  }

  @Override
  public <T> Uni<T> read(Supplier<T> query) {
    Objects.requireNonNull(query, "query");
    return submit(promise -> group.reads().read(query, promise, requestTimeoutMillis));
  }

  @Override
  public Uni<Long> addLearner(long nodeId) {
    return changeMembership(() -> ConfigChange.addLearner(nodeId));
  }

  @Override
  public Uni<Long> promote(long nodeId) {
    return changeMembership(() -> ConfigChange.promote(nodeId));
  }

  @Override
  public Uni<Long> remove(long nodeId) {
    return changeMembership(() -> ConfigChange.remove(nodeId));
  }

  private Uni<Long> changeMembership(Supplier<ConfigChange> change) {
    return submit(promise -> group.changes().propose(change.get(), promise, requestTimeoutMillis));
  }

  @Override
  public Uni<Void> transferLeadership(long nodeId) {
    return submit(promise -> group.transfers().transfer(nodeId, promise, requestTimeoutMillis));
  }

  @Override
  public Uni<Long> snapshot() {
    return submit(group::snapshotNow);
  }

  /**
   * A lazy {@code Uni} that, on each subscription, runs {@code request} on the group's context with a fresh promise
   * (exceptions it throws fail the promise), then processes the Ready the request produced. The item arrives on the
   * group's context. Cancelling the subscription fails the promise with a {@link CancellationException}: a request
   * whose caller is gone is then dropped while it waits for a leader, not replayed to the next one.
   */
  private <T> Uni<T> submit(Consumer<Promise<T>> request) {
    return Uni.createFrom().deferred(() -> {
      Promise<T> promise = Promise.promise();
      return Bridge.uni(() -> start(request, promise)).onCancellation().invoke(() ->
          promise.tryFail(new CancellationException("request to group " + group.groupId() + " cancelled")));
    });
  }

  private <T> Future<T> start(Consumer<Promise<T>> request, Promise<T> promise) {
    if (!group.isStarted()) {
      promise.fail(new IllegalStateException("group " + group.groupId() + " is not started"));
      return promise.future();
    }
    Handler<Void> run = v -> {
      if (group.isStopped()) {
        promise.tryFail(group.stoppedFailure());
        return;
      }
      if (promise.future().isComplete()) {
        return; // cancelled before it reached the group
      }
      try {
        request.accept(promise);
        group.processReady();
      } catch (RuntimeException e) {
        promise.tryFail(e);
      }
    };
    if (Vertx.currentContext() == group.context()) {
      // Already on the group's event loop (a workflow step continuing after an apply): no extra turn.
      run.handle(null);
    } else {
      group.context().runOnContext(run);
    }
    return promise.future();
  }

  @Override
  public String toString() {
    return "RaftGroup{group=" + groupId() + ", node=" + nodeId() + "}";
  }
}
