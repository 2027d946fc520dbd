package io.raftoral.group.impl;

import static io.raftoral.group.impl.ProposalSessions.MAX_SEQUENCES_ABOVE_FLOOR;
import static io.raftoral.group.impl.ProposalSessions.MAX_SESSIONS;
import static io.raftoral.group.impl.ProposalSessions.RETIRE_AFTER_ENTRIES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The bounded de-duplication table of a group: what it skips, what it forgives and forgets, how it snapshots. */
class ProposalSessionsTest {

  private static final long SESSION = 42;
  private static final long OTHER_SESSION = 43;
  private static final byte[] USER_IMAGE = {7, 8, 9};
  /** "RSN1": the table's snapshot format before the bounds. */
  private static final int MAGIC_V1 = 0x52534E31;

  @Test
  void aDuplicateIsSkippedAndAGapIsFilledLater() {
    ProposalSessions t = new ProposalSessions();
    assertThat(t.markApplied(SESSION, 1, 1)).isTrue();
    assertThat(t.markApplied(SESSION, 3, 2)).isTrue();
    assertThat(t.markApplied(SESSION, 1, 3)).as("a re-sent duplicate").isFalse();
    assertThat(t.markApplied(SESSION, 3, 4)).as("a re-sent duplicate above the floor").isFalse();
    assertThat(t.floor(SESSION)).isEqualTo(1);
    assertThat(t.markApplied(SESSION, 2, 5)).as("the gap, re-sent").isTrue();
    assertThat(t.floor(SESSION)).isEqualTo(3);
    assertThat(t.sequencesHeld()).isZero();
  }

  @Test
  void aGapThatOutlivesTheWindowIsGivenUpAndNeverAppliedLater() {
    ProposalSessions t = new ProposalSessions();
    long index = 0;
    // sequence 1 timed out and was never re-sent; the node kept proposing
    for (long seq = 2; seq <= MAX_SEQUENCES_ABOVE_FLOOR + 1; seq++) {
      t.markApplied(SESSION, seq, ++index);
    }
    assertThat(t.floor(SESSION)).isZero();
    assertThat(t.sequencesHeld()).isEqualTo(MAX_SEQUENCES_ABOVE_FLOOR);
    t.markApplied(SESSION, MAX_SEQUENCES_ABOVE_FLOOR + 2, ++index);
    assertThat(t.floor(SESSION)).as("the floor moved past the gap").isEqualTo(MAX_SEQUENCES_ABOVE_FLOOR + 2);
    assertThat(t.sequencesHeld()).isZero();
    assertThat(t.markApplied(SESSION, 1, ++index)).as("the given-up proposal arriving after all").isFalse();
  }

  @Test
  void aSessionHoldsAtMostTheWindowHoweverManyGapsItHas() {
    ProposalSessions t = new ProposalSessions();
    long index = 0;
    for (long seq = 1; seq <= 50 * MAX_SEQUENCES_ABOVE_FLOOR; seq++) {
      if (seq % 3 != 0) { // one in three lost
        t.markApplied(SESSION, seq, ++index);
        assertThat(t.sequencesHeld()).isLessThanOrEqualTo(MAX_SEQUENCES_ABOVE_FLOOR);
      }
    }
    assertThat(t.markApplied(SESSION, 50L * MAX_SEQUENCES_ABOVE_FLOOR - 1, ++index)).as("a recent duplicate")
        .isFalse();
  }

  @Test
  void aSessionWithoutEntriesForTheRetirementAgeIsForgotten() {
    ProposalSessions t = new ProposalSessions();
    t.markApplied(SESSION, 1, 1);
    t.markApplied(SESSION, 3, 2); // a gap: 3 is held above the floor
    t.markApplied(OTHER_SESSION, 1, 3);
    t.markApplied(OTHER_SESSION, 2, RETIRE_AFTER_ENTRIES + 1);
    assertThat(t.sessionCount()).as("the session's last entry is exactly the age old").isEqualTo(2);
    t.markApplied(OTHER_SESSION, 3, RETIRE_AFTER_ENTRIES + 2);
    assertThat(t.sessionCount()).isEqualTo(1);
    assertThat(t.floor(SESSION)).isZero();
    assertThat(t.floor(OTHER_SESSION)).isEqualTo(3);
  }

  @Test
  void beyondTheCapTheLeastRecentlyActiveSessionIsForgotten() {
    ProposalSessions t = new ProposalSessions();
    long index = 0;
    for (long session = 1; session <= MAX_SESSIONS; session++) {
      t.markApplied(session, 1, ++index);
    }
    t.markApplied(1, 2, ++index); // session 1 is active again: session 2 is now the least recently active
    t.markApplied(MAX_SESSIONS + 1, 1, ++index);
    assertThat(t.sessionCount()).isEqualTo(MAX_SESSIONS);
    assertThat(t.floor(1)).isEqualTo(2);
    assertThat(t.floor(2)).as("retired").isZero();
    assertThat(t.floor(3)).isEqualTo(1);
  }

  @Test
  void theWholeTableIsBoundedAfterALongRunOfRestartsAndTimeouts() {
    ProposalSessions t = new ProposalSessions();
    long index = 0;
    long seq = 0;
    long session = 1;
    // a session per restart, every tenth proposal lost: the worst case for the table
    for (int i = 0; i < 20 * MAX_SESSIONS * MAX_SEQUENCES_ABOVE_FLOOR / 10; i++) {
      if (++seq % 10 == 0) {
        seq++;
      }
      t.markApplied(session, seq, ++index);
      if (seq > 2 * MAX_SEQUENCES_ABOVE_FLOOR) {
        session++;
        seq = 0;
      }
    }
    assertThat(t.sessionCount()).isLessThanOrEqualTo(MAX_SESSIONS);
    assertThat(t.sequencesHeld()).isLessThanOrEqualTo(MAX_SESSIONS * MAX_SEQUENCES_ABOVE_FLOOR);
    long sessionBytes = 3L * Long.BYTES + Integer.BYTES;
    assertThat((long) t.wrap(new byte[0]).length).isLessThanOrEqualTo(2L * Integer.BYTES + Integer.BYTES
        + MAX_SESSIONS * (sessionBytes + (long) Long.BYTES * MAX_SEQUENCES_ABOVE_FLOOR));
  }

  @Test
  void aSnapshotRestoresTheSameTableInTheSameOrder() {
    ProposalSessions t = new ProposalSessions();
    t.markApplied(SESSION, 1, 1);
    t.markApplied(OTHER_SESSION, 2, 2);
    t.markApplied(SESSION, 5, 3);
    byte[] snapshot = t.wrap(USER_IMAGE);
    ProposalSessions restored = new ProposalSessions();
    assertThat(restored.unwrap(snapshot, 3)).containsExactly(USER_IMAGE);
    assertThat(restored.wrap(USER_IMAGE)).containsExactly(snapshot);
    // the same entries retire the same sessions on both
    t.markApplied(SESSION, 6, RETIRE_AFTER_ENTRIES + 3);
    restored.markApplied(SESSION, 6, RETIRE_AFTER_ENTRIES + 3);
    assertThat(restored.wrap(USER_IMAGE)).containsExactly(t.wrap(USER_IMAGE));
    assertThat(restored.sessionCount()).isEqualTo(1);
  }

  @Test
  void aSnapshotFromBeforeTheBoundsIsReadAndBoundedAtOnce() {
    int above = 3 * MAX_SEQUENCES_ABOVE_FLOOR;
    ByteBuffer v1 = ByteBuffer.allocate(2 * Integer.BYTES + 2 * (2 * Long.BYTES + Integer.BYTES)
        + Long.BYTES * above + Integer.BYTES + USER_IMAGE.length);
    v1.putInt(MAGIC_V1).putInt(2);
    v1.putLong(SESSION).putLong(10).putInt(above);
    for (long k = 0; k < above; k++) {
      v1.putLong(12 + 2 * k); // every other sequence lost
    }
    v1.putLong(OTHER_SESSION).putLong(4).putInt(0);
    v1.putInt(USER_IMAGE.length).put(USER_IMAGE);

    ProposalSessions t = new ProposalSessions();
    assertThat(t.unwrap(v1.array(), 500)).containsExactly(USER_IMAGE);
    assertThat(t.sessionCount()).isEqualTo(2);
    assertThat(t.sequencesHeld()).isEqualTo(MAX_SEQUENCES_ABOVE_FLOOR);
    assertThat(t.floor(OTHER_SESSION)).isEqualTo(4);
    assertThat(t.markApplied(OTHER_SESSION, 4, 501)).isFalse();
    // counted as active at the snapshot's index
    t.markApplied(OTHER_SESSION, 5, 500 + RETIRE_AFTER_ENTRIES);
    assertThat(t.sessionCount()).isEqualTo(1);
  }

  @Test
  void somethingElseIsNotASnapshot() {
    assertThatThrownBy(() -> new ProposalSessions().unwrap(new byte[] {1, 2, 3}, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProposalSessions().unwrap(new byte[16], 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
