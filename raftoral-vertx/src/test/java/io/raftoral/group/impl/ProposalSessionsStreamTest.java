package io.raftoral.group.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The session table in streamed snapshots: it goes in front of the user's image, whose length is not known in
 * advance, and comes back with the rest of the stream left for the user's restore; an array snapshot read as a
 * stream still restores.
 */
class ProposalSessionsStreamTest {

  private static final long SESSION = 42;
  private static final byte[] USER_IMAGE = {7, 8, 9, 10};

  @Test
  void aStreamedTableRestoresAndLeavesTheUserImageToRead() throws Exception {
    ProposalSessions t = new ProposalSessions();
    t.markApplied(SESSION, 1, 1);
    t.markApplied(SESSION, 3, 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    t.writeTable(out);
    out.write(USER_IMAGE);

    ProposalSessions back = new ProposalSessions();
    InputStream user = back.readTable(new ByteArrayInputStream(out.toByteArray()), 2);
    assertThat(user.readAllBytes()).isEqualTo(USER_IMAGE);
    assertThat(back.floor(SESSION)).isEqualTo(1);
    assertThat(back.markApplied(SESSION, 3, 3)).as("applied before the snapshot").isFalse();
    assertThat(back.markApplied(SESSION, 2, 4)).as("the gap").isTrue();
  }

  @Test
  void anArraySnapshotReadAsAStreamRestores() throws Exception {
    ProposalSessions t = new ProposalSessions();
    t.markApplied(SESSION, 1, 1);
    byte[] array = t.wrap(USER_IMAGE);

    ProposalSessions back = new ProposalSessions();
    InputStream user = back.readTable(new ByteArrayInputStream(array), 1);
    assertThat(user.readAllBytes()).isEqualTo(USER_IMAGE);
    assertThat(back.markApplied(SESSION, 1, 2)).isFalse();
  }
}
