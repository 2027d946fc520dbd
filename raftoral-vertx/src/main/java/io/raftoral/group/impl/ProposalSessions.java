package io.raftoral.group.impl;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which proposals a group has applied, per proposer session (Raft dissertation §6.3, client sessions): each group
 * incarnation on each node proposes as a session with a random id and increasing sequence numbers, and may re-send
 * a proposal whose fate it cannot know (leader change, lost forward). Replicas apply a (session, sequence) once and
 * skip duplicates. The table is part of the replicated state: every replica derives it from the log, and it travels
 * in snapshots ahead of the user's state-machine image.
 */
final class ProposalSessions {

  private static final int MAGIC = 0x52534E31; // "RSN1"

  /** Sequences applied for one session: all up to {@code floor}, plus the ones in {@code above}. */
  private static final class Applied {
    long floor;
    final TreeSet<Long> above = new TreeSet<>();
  }

  private final Map<Long, Applied> sessions = new HashMap<>();

  /** Records (session, seq) as applied; false when it already was (a duplicate to skip). */
  boolean markApplied(long session, long seq) {
    Applied a = sessions.computeIfAbsent(session, s -> new Applied());
    if (seq <= a.floor || !a.above.add(seq)) {
      return false;
    }
    while (a.above.remove(a.floor + 1)) {
      a.floor++;
    }
    return true;
  }

  /** The table followed by the user's state-machine image. */
  byte[] wrap(byte[] userSnapshot) {
    int size = 12 + userSnapshot.length;
    for (Applied a : sessions.values()) {
      size += 20 + 8 * a.above.size();
    }
    ByteBuffer buf = ByteBuffer.allocate(size).putInt(MAGIC).putInt(sessions.size());
    for (Map.Entry<Long, Applied> e : sessions.entrySet()) {
      buf.putLong(e.getKey()).putLong(e.getValue().floor).putInt(e.getValue().above.size());
      e.getValue().above.forEach(buf::putLong);
    }
    buf.putInt(userSnapshot.length).put(userSnapshot);
    return buf.array();
  }

  /** Restores the table from {@link #wrap}'s output and returns the user's image. */
  byte[] unwrap(byte[] snapshot) {
    ByteBuffer buf = ByteBuffer.wrap(snapshot);
    if (snapshot.length < 12 || buf.getInt() != MAGIC) {
      throw new IllegalArgumentException("not a Raftoral group snapshot");
    }
    sessions.clear();
    int count = buf.getInt();
    for (int i = 0; i < count; i++) {
      Applied a = new Applied();
      long session = buf.getLong();
      a.floor = buf.getLong();
      int n = buf.getInt();
      for (int k = 0; k < n; k++) {
        a.above.add(buf.getLong());
      }
      sessions.put(session, a);
    }
    byte[] user = new byte[buf.getInt()];
    buf.get(user);
    return user;
  }
}
