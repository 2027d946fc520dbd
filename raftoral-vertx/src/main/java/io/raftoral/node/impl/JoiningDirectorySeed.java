package io.raftoral.node.impl;

import io.raftoral.management.ManagementClient;
import io.raftoral.transport.PeerAddresses;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the addresses of a node that does not know the directory itself yet from its peers' directory
 * ({@link ManagementClient#directory()}), at most once per interval, until it does.
 *
 * <p>Why: a node learns addresses from cluster 0's state, which it only gets by answering cluster 0's leader. A
 * directory fetched once before the start is a moment's: when cluster 0's leadership moves to a node that
 * registered after that moment, the new node's acknowledgements have nowhere to go, the leader never learns how far
 * it is, and the node never gets the state that would tell it the address ("not registered yet" for good; seen in
 * the end-to-end tests under load). Only addresses the node lacks are added: what it has, it keeps.
 *
 * <p>Called on the node's context ({@link #tick}); the fetch completes on any thread and only touches the
 * thread-safe {@link PeerAddresses}.
 */
public final class JoiningDirectorySeed {

  private static final Logger LOG = LoggerFactory.getLogger(JoiningDirectorySeed.class);
  /** Between two fetches. */
  public static final long DEFAULT_INTERVAL_MILLIS = 1_000;

  private final ManagementClient client;
  private final PeerAddresses addresses;
  private final LongSupplier selfId;
  private final BooleanSupplier knowsDirectory;
  private final long intervalNanos;
  private volatile boolean fetching;
  private volatile boolean done;
  private long lastFetchNanos;
  private boolean first = true;

  /**
   * @param client asked for the directory
   * @param addresses what the node's transport sends to
   * @param selfId this node's id (never added)
   * @param knowsDirectory whether the node has the directory itself (cluster 0's state): fetching then stops for good
   * @param intervalMillis between two fetches
   */
  public JoiningDirectorySeed(ManagementClient client, PeerAddresses addresses, LongSupplier selfId,
      BooleanSupplier knowsDirectory, long intervalMillis) {
    this.client = Objects.requireNonNull(client, "client");
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.selfId = Objects.requireNonNull(selfId, "selfId");
    this.knowsDirectory = Objects.requireNonNull(knowsDirectory, "knowsDirectory");
    if (intervalMillis <= 0) {
      throw new IllegalArgumentException("intervalMillis must be > 0, was " + intervalMillis);
    }
    this.intervalNanos = intervalMillis * 1_000_000;
  }

  /** Whether it stopped for good (the node knows the directory, or the client cannot fetch one). */
  public boolean isDone() {
    return done;
  }

  /** Fetches the directory when the node still lacks it, no fetch is under way and the interval has passed. */
  public void tick(long nowNanos) {
    if (done) {
      return;
    }
    if (knowsDirectory.getAsBoolean()) {
      done = true;
      return;
    }
    if (fetching || (!first && nowNanos - lastFetchNanos < intervalNanos)) {
      return;
    }
    first = false;
    fetching = true;
    lastFetchNanos = nowNanos;
    client.directory().onComplete(ar -> {
      fetching = false;
      if (ar.succeeded()) {
        add(ar.result());
      } else if (ar.cause() instanceof UnsupportedOperationException) {
        done = true; // the caller seeds the addresses itself
      } else {
        LOG.debug("node {}: fetching the directory from its peers failed: {}", selfId.getAsLong(),
            ar.cause().toString());
      }
    });
  }

  private void add(Map<Long, String> directory) {
    long self = selfId.getAsLong();
    for (Map.Entry<Long, String> e : directory.entrySet()) {
      long id = e.getKey();
      if (id == self || id <= 0 || addresses.getOrNull(id) != null) {
        continue;
      }
      try {
        addresses.put(id, e.getValue());
      } catch (IllegalArgumentException bad) {
        LOG.warn("node {}: the directory's address of node {} is not host:port: {}", self, id, e.getValue());
      }
    }
  }
}
