package io.raftoral.transport;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a network transport leaves an unreachable peer alone before trying it again: exponential backoff with
 * "equal jitter" (half of the current delay fixed, the other half random, so that nodes that lost the same peer do
 * not all retry at once), doubled per failure up to a maximum and reset when the peer is healthy again. Also
 * remembers whether the peer is down, so that an incident is logged once and its end counted as one reconnect.
 *
 * <p>Not thread-safe: each transport confines its peers' state to its own Vert.x context.
 */
public final class PeerBackoff {

  /** Each failure in a row multiplies the delay by this, up to the maximum. */
  public static final int GROWTH_FACTOR = 2;
  /** The delay is split into this many parts: one is always waited, the rest is drawn at random. */
  public static final int JITTER_DIVISOR = 2;
  /** Vert.x timers take at least one millisecond. */
  public static final long MIN_DELAY_MILLIS = 1;

  private final long initialMillis;
  private final long maxMillis;
  private long currentMillis;
  private boolean down;

  public PeerBackoff(long initialMillis, long maxMillis) {
    if (initialMillis < MIN_DELAY_MILLIS || maxMillis < MIN_DELAY_MILLIS) {
      throw new IllegalArgumentException("backoff delays must be >= " + MIN_DELAY_MILLIS + " ms, were "
          + initialMillis + " and " + maxMillis);
    }
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
    this.currentMillis = initialMillis;
  }

  /** The options' delays. */
  public PeerBackoff(NetworkTransportOptions<?> options) {
    this(options.getReconnectInitialDelayMillis(), options.getReconnectMaxDelayMillis());
  }

  /** After one more failure: the delay to wait now (jittered), and the next one grows. */
  public long nextDelayMillis() {
    long fixed = currentMillis / JITTER_DIVISOR;
    long delay = fixed + ThreadLocalRandom.current().nextLong(currentMillis / JITTER_DIVISOR + 1);
    currentMillis = Math.min(maxMillis, currentMillis * GROWTH_FACTOR);
    return Math.max(MIN_DELAY_MILLIS, delay);
  }

  /** The next failure starts a new incident: back to the initial delay. */
  public void reset() {
    currentMillis = initialMillis;
  }

  /** Marks the peer down; true only on the first failure since it was last up (log the incident once). */
  public boolean markDown() {
    boolean first = !down;
    down = true;
    return first;
  }

  /** Marks the peer up; true when it was down (a reconnect: count it, log it). Does not {@link #reset()}. */
  public boolean markUp() {
    boolean wasDown = down;
    down = false;
    return wasDown;
  }
}
