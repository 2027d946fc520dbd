package io.raftoral.group.impl;

/**
 * The group's tick counter, and the clock of an idle leader: a leader with nothing going on for
 * {@code idleAfterTicks} runs its Raft clock at half speed. It then heartbeats every other tick, well within the
 * followers' election timeout (their clocks keep full speed, so a dead leader is detected as fast as ever), which
 * halves the idle traffic of a node hosting many groups. Any activity brings it back to full speed at once.
 *
 * <p>Confined to the group's event-loop context.
 */
final class IdleClock {

  private final long idleAfterTicks;
  private long ticks;
  private long lastBusyTick;

  IdleClock(long idleAfterTicks) {
    this.idleAfterTicks = idleAfterTicks;
  }

  /** Ticks received so far. */
  long ticks() {
    return ticks;
  }

  /**
   * Counts one tick of the host's ticker.
   *
   * @param quiet whether this node is a leader with nothing going on right now
   * @return whether the Raft core should tick now
   */
  boolean tick(boolean quiet) {
    ticks++;
    if (!quiet) {
      lastBusyTick = ticks;
    }
    boolean idle = ticks - lastBusyTick > idleAfterTicks;
    return !idle || (ticks & 1) == 0;
  }
}
