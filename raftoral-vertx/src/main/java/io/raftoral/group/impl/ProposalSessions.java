package io.raftoral.group.impl;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which proposals a group has applied, per proposer session (Raft dissertation §6.3, client sessions): each group
 * incarnation on each node proposes as a session with a random id and increasing sequence numbers, and may re-send
 * a proposal whose fate it cannot know (leader change, lost forward). Replicas apply a (session, sequence) once and
 * skip duplicates. The table is part of the replicated state: every replica derives it from the log alone (log
 * indexes, never a clock), and it travels in snapshots ahead of the user's state-machine image.
 *
 * <p>Bounded, so that neither the table nor the snapshots grow for ever:
 * <ul>
 *   <li><b>A window per session.</b> A session remembers every sequence up to its floor as applied, and at most
 *       {@link #MAX_SEQUENCES_ABOVE_FLOOR} applied sequences above it. A sequence that never reaches the log (its
 *       caller timed out during an outage and it is never re-sent) would hold the floor back for ever; once the
 *       window is full the floor moves past the oldest such gap instead. A proposal in a gap that still arrives
 *       later is skipped, never applied twice: its caller sees the outcome-unknown timeout it was promised.</li>
 *   <li><b>Retirement by log age.</b> A session with no entry in the last {@link #RETIRE_AFTER_ENTRIES} log
 *       entries is forgotten (its node restarted, or stopped proposing): a proposer re-sends only while its caller
 *       waits (one request timeout), far shorter than that many commits.</li>
 *   <li><b>A session cap.</b> At most {@link #MAX_SESSIONS} sessions are kept; beyond that the least recently
 *       active one is forgotten.</li>
 * </ul>
 * Every replica applies the same entries in the same order, so all of them move floors and retire sessions at the
 * same entries. Hence at most {@code MAX_SESSIONS * MAX_SEQUENCES_ABOVE_FLOOR} sequences are held.
 *
 * <p>What retirement costs: a retired session is unknown again, so a re-send of one of its applied proposals would
 * be applied a second time. That takes a proposer cut off from the log while more than {@link #RETIRE_AFTER_ENTRIES}
 * entries commit (or while {@link #MAX_SESSIONS} other sessions are more recently active) with its caller still
 * waiting for the proposal. Within the default request timeout (5 s) that takes a group committing more than 20,000
 * entries a second; a caller that proposes with a much longer timeout widens the window.
 *
 * <p>Snapshot format {@link #MAGIC_V2} for snapshots held in one array, {@link #MAGIC_V3} for streamed ones (the
 * user's image follows the table to the end of the stream, its length unknown in advance); {@link #MAGIC_V1}
 * snapshots (before the bounds) are still read.
 */
final class ProposalSessions {

  /** Snapshots before the bounds: per session its floor and the sequences above it. */
  private static final int MAGIC_V1 = 0x52534E31; // "RSN1"
  /** Sessions least recently active first, each with the index of its last entry. */
  private static final int MAGIC_V2 = 0x52534E32; // "RSN2"
  /** Streamed: the length of the session block, the block as in V2, then the user's image to the end. */
  private static final int MAGIC_V3 = 0x52534E33; // "RSN3"
  /** Magic and session count. */
  private static final int TABLE_HEADER_BYTES = Integer.BYTES * 2;
  /** Session id, floor, last index and the count of sequences above the floor. */
  private static final int SESSION_HEADER_BYTES = Long.BYTES * 3 + Integer.BYTES;

  /**
   * Applied sequences a session remembers above its floor. Gaps arise when a proposal is lost and later ones are
   * applied; a live one is re-sent within two election timeouts, so only gaps that outlive this many later
   * proposals of the same node are given up. 8 KiB per session at most.
   */
  static final int MAX_SEQUENCES_ABOVE_FLOOR = 1_024;
  /** Sessions kept at most: far more than the nodes that propose into one group restart within the retirement age. */
  static final int MAX_SESSIONS = 256;
  /** A session with no entry in this many log entries is retired. */
  static final long RETIRE_AFTER_ENTRIES = 100_000;

  /** One proposer session: every sequence up to {@code floor} is settled, plus the ones in {@code above}. */
  private static final class Session {
    long floor;
    /** Log index of the session's last entry (applied or skipped). */
    long lastIndex;
    final TreeSet<Long> above = new TreeSet<>();

    Session(long floor, long lastIndex) {
      this.floor = floor;
      this.lastIndex = lastIndex;
    }
  }

  /**
   * By session id, least recently active first: a session moves to the end when one of its entries is applied, so
   * the order is the order of the log on every replica. Only {@link #markApplied} reorders it.
   */
  private final LinkedHashMap<Long, Session> sessions = new LinkedHashMap<>();

  /**
   * Records (session, seq), found in the entry at {@code index}, as applied; false when it was settled already (a
   * duplicate, or a proposal given up when its session's window moved past it) and must be skipped.
   */
  boolean markApplied(long session, long seq, long index) {
    Session s = sessions.remove(session);
    if (s == null) {
      s = new Session(0, index);
    }
    sessions.put(session, s);
    s.lastIndex = index;
    if (seq == s.floor + 1 && s.above.isEmpty()) {
      // The usual case, proposals applied in order: the floor moves up, nothing is held above it.
      s.floor = seq;
      retireBefore(index);
      return true;
    }
    boolean fresh = seq > s.floor && s.above.add(seq);
    if (fresh) {
      raiseFloor(s);
      keepWindow(s);
    }
    retireBefore(index);
    return fresh;
  }

  /** The highest sequence of {@code session} up to which everything is settled; 0 for an unknown session. */
  long floor(long session) {
    Session s = sessions.get(session);
    return s == null ? 0 : s.floor;
  }

  /** Sessions held (at most {@link #MAX_SESSIONS}). */
  int sessionCount() {
    return sessions.size();
  }

  /** Applied sequences held above the floors, over every session. */
  int sequencesHeld() {
    return sessions.values().stream().mapToInt(s -> s.above.size()).sum();
  }

  private static void raiseFloor(Session s) {
    while (s.above.remove(s.floor + 1)) {
      s.floor++;
    }
  }

  /** Gives up the oldest gaps while the session remembers more than the window. */
  private static void keepWindow(Session s) {
    while (s.above.size() > MAX_SEQUENCES_ABOVE_FLOOR) {
      s.floor = s.above.pollFirst();
      raiseFloor(s);
    }
  }

  /** Forgets sessions inactive for the retirement age as of {@code index}, and the least active beyond the cap. */
  private void retireBefore(long index) {
    Iterator<Session> oldestFirst = sessions.values().iterator();
    while (oldestFirst.hasNext()) {
      Session s = oldestFirst.next();
      if (sessions.size() <= MAX_SESSIONS && index - s.lastIndex < RETIRE_AFTER_ENTRIES) {
        break;
      }
      oldestFirst.remove();
    }
  }

  /** The table followed by the user's state-machine image. */
  byte[] wrap(byte[] userSnapshot) {
    int size = TABLE_HEADER_BYTES + Integer.BYTES + userSnapshot.length;
    for (Session s : sessions.values()) {
      size += SESSION_HEADER_BYTES + Long.BYTES * s.above.size();
    }
    ByteBuffer buf = ByteBuffer.allocate(size).putInt(MAGIC_V2).putInt(sessions.size());
    for (Map.Entry<Long, Session> e : sessions.entrySet()) {
      Session s = e.getValue();
      buf.putLong(e.getKey()).putLong(s.floor).putLong(s.lastIndex).putInt(s.above.size());
      s.above.forEach(buf::putLong);
    }
    buf.putInt(userSnapshot.length).put(userSnapshot);
    return buf.array();
  }

  /** Writes the table in the streamed format; the user's image is to follow on {@code out}. */
  void writeTable(OutputStream out) throws IOException {
    int size = Integer.BYTES;
    for (Session s : sessions.values()) {
      size += SESSION_HEADER_BYTES + Long.BYTES * s.above.size();
    }
    ByteBuffer block = ByteBuffer.allocate(size).putInt(sessions.size());
    for (Map.Entry<Long, Session> e : sessions.entrySet()) {
      Session s = e.getValue();
      block.putLong(e.getKey()).putLong(s.floor).putLong(s.lastIndex).putInt(s.above.size());
      s.above.forEach(block::putLong);
    }
    DataOutputStream header = new DataOutputStream(out);
    header.writeInt(MAGIC_V3);
    header.writeInt(size);
    header.write(block.array());
    header.flush();
  }

  /**
   * Restores the table from the front of a streamed snapshot ({@link #writeTable}'s, or an array snapshot's read
   * whole) taken at {@code snapshotIndex}, and returns the stream of the user's image.
   */
  InputStream readTable(InputStream in, long snapshotIndex) throws IOException {
    DataInputStream header = new DataInputStream(in); // unbuffered: the user's image stays in {@code in}
    int magic = header.readInt();
    if (magic != MAGIC_V3) {
      byte[] rest = in.readAllBytes();
      byte[] whole = ByteBuffer.allocate(Integer.BYTES + rest.length).putInt(magic).put(rest).array();
      return new ByteArrayInputStream(unwrap(whole, snapshotIndex));
    }
    byte[] block = new byte[header.readInt()];
    header.readFully(block);
    sessions.clear();
    readSessions(ByteBuffer.wrap(block));
    return in;
  }

  /**
   * Restores the table from {@link #wrap}'s output (or an older snapshot's, taken at {@code snapshotIndex}) and
   * returns the user's image.
   */
  byte[] unwrap(byte[] snapshot, long snapshotIndex) {
    ByteBuffer buf = ByteBuffer.wrap(snapshot);
    int magic = snapshot.length < TABLE_HEADER_BYTES ? 0 : buf.getInt();
    if (magic != MAGIC_V1 && magic != MAGIC_V2) {
      throw new IllegalArgumentException("not a Raftoral group snapshot");
    }
    sessions.clear();
    if (magic == MAGIC_V2) {
      readSessions(buf);
    } else {
      readUnboundedSessions(buf, snapshotIndex);
    }
    byte[] user = new byte[buf.getInt()];
    buf.get(user);
    return user;
  }

  private void readSessions(ByteBuffer buf) {
    int count = buf.getInt();
    for (int i = 0; i < count; i++) {
      long id = buf.getLong();
      Session s = new Session(buf.getLong(), buf.getLong());
      readSequences(buf, s);
      sessions.put(id, s);
    }
  }

  /**
   * A snapshot taken before the bounds: its sessions count as active at the snapshot (ties broken by session id, so
   * that every replica restoring it orders them alike), and the bounds apply at once.
   */
  private void readUnboundedSessions(ByteBuffer buf, long snapshotIndex) {
    int count = buf.getInt();
    TreeMap<Long, Session> byId = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      long id = buf.getLong();
      Session s = new Session(buf.getLong(), snapshotIndex);
      readSequences(buf, s);
      keepWindow(s);
      byId.put(id, s);
    }
    List<Long> ids = new ArrayList<>(byId.keySet());
    for (Long id : ids.subList(Math.max(0, ids.size() - MAX_SESSIONS), ids.size())) {
      sessions.put(id, byId.get(id));
    }
  }

  private static void readSequences(ByteBuffer buf, Session s) {
    int n = buf.getInt();
    for (int k = 0; k < n; k++) {
      s.above.add(buf.getLong());
    }
  }
}
