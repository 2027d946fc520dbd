package io.raftoral.workflow.impl;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftGroup;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds back side effects until this member has applied everything committed when it (re)started or installed a
 * snapshot (DESIGN §3: a committed step is never re-run).
 *
 * <p>A member restarts with its log up to the last commit index it stored, which may lag the group's: the steps it
 * produced just before it stopped may be committed without being applied here yet. Running the workflow from what it
 * has applied, it would see those steps as missing and run their suppliers again. So the first compute after a
 * start or a restore waits for one linearizable read (ReadIndex, thesis §6.4): once it answers, this member has
 * applied at least what was committed when it asked, which includes every step it produced before. A failed read
 * (no leader yet) is asked again after {@link #RETRY_MILLIS}. Callbacks run on the group's context.
 */
final class CatchUpBarrier {

  static final long RETRY_MILLIS = 50;

  private final RaftGroup<?, ?> group;
  private final Context context;
  private final List<Runnable> waiting = new ArrayList<>();
  private boolean passed;
  private boolean asking;
  private boolean closed;

  CatchUpBarrier(RaftGroup<?, ?> group, Context context) {
    this.group = group;
    this.context = context;
  }

  /** Whether side effects may run now. */
  boolean passed() {
    return passed;
  }

  /** Runs {@code action} once this member has caught up (now if it has). */
  void whenPassed(Runnable action) {
    if (passed) {
      action.run();
      return;
    }
    waiting.add(action);
    ask();
  }

  /** A snapshot was installed: what it describes may lag the group as a restart does. */
  void reset() {
    passed = false;
  }

  void close() {
    closed = true;
    waiting.clear();
  }

  private void ask() {
    if (asking || closed) {
      return;
    }
    asking = true;
    Bridge.future(group.read(() -> Boolean.TRUE), context).onComplete(ar -> {
      asking = false;
      if (closed) {
        return;
      }
      if (ar.failed()) {
        context.owner().setTimer(RETRY_MILLIS, id -> ask());
        return;
      }
      passed = true;
      List<Runnable> ready = new ArrayList<>(waiting);
      waiting.clear();
      ready.forEach(Runnable::run);
    });
  }
}
