package io.raftoral.lmdb;

import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.StoreWrite;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The records of the {@link RaftLogFiles}, each {@code [length:4][crc32c:4][type:1][groupId:8][body]} (big-endian),
 * where {@code length} counts the bytes after the checksum and the CRC-32C covers them. A length of 0 ends a segment's
 * data (segments are filled with zeros before use), and a record whose checksum does not match, or which runs past
 * the file, is where a write was torn.
 *
 * <ul>
 *   <li>{@link #WRITE}: one {@link StoreWrite}: {@code [flags:1]} (1: snapshot, 2: hard state), the snapshot,
 *       {@code [count:4]} entries, the hard state
 *   <li>{@link #COMPACT}: a snapshot the state machine took (the entries it covers are dropped)
 *   <li>{@link #DELETE}: the group left the node
 *   <li>{@link #STATE}: the group's whole state (snapshot, hard state, entries); replaces its earlier records, so
 *       that old segments can be deleted
 * </ul>
 * An entry is {@code [index:8][term:8][type:1][length:4][data]}, a snapshot {@code [index:8][term:8][voters:4]
 * [learners:4][ids:8 each][length:4][data]}, a hard state {@code [term:8][vote:8][commit:8]}.
 */
final class RaftLogRecords {

  static final byte WRITE = 1;
  static final byte COMPACT = 2;
  static final byte DELETE = 3;
  static final byte STATE = 4;
  /** Length and checksum. */
  static final int HEADER_BYTES = 8;
  /** Type and group id, the start of every record's checksummed part. */
  static final int PREFIX_BYTES = 9;
  private static final byte HAS_SNAPSHOT = 1;
  private static final byte HAS_HARD_STATE = 2;
  private static final EntryType[] ENTRY_TYPES = EntryType.values();

  private RaftLogRecords() {
  }

  /** Appends records to a growing direct buffer (reused from batch to batch by the writer). */
  static final class Encoder {
    private ByteBuffer buf;
    private final CRC32C crc = new CRC32C();

    Encoder(int initialBytes) {
      buf = ByteBuffer.allocateDirect(initialBytes);
    }

    void clear() {
      buf.clear();
    }

    /** The records appended since {@link #clear()}, ready to write. */
    ByteBuffer flip() {
      return buf.flip();
    }

    int position() {
      return buf.position();
    }

    void write(long groupId, StoreWrite w) {
      int start = begin(WRITE, groupId);
      ensure(1 + snapshotBytes(w.snapshot()) + entriesBytes(w.entries()) + 24);
      buf.put((byte) ((w.snapshot() != null ? HAS_SNAPSHOT : 0) | (w.hardState() != null ? HAS_HARD_STATE : 0)));
      if (w.snapshot() != null) {
        putSnapshot(w.snapshot());
      }
      putEntries(w.entries());
      if (w.hardState() != null) {
        putHardState(w.hardState());
      }
      end(start);
    }

    void compact(long groupId, Snapshot s) {
      int start = begin(COMPACT, groupId);
      ensure(snapshotBytes(s));
      putSnapshot(s);
      end(start);
    }

    void delete(long groupId) {
      end(begin(DELETE, groupId));
    }

    void state(long groupId, RaftLogGroup g) {
      int start = begin(STATE, groupId);
      ensure(snapshotBytes(g.snapshot()) + 25 + entriesBytes(g.entries()));
      putSnapshot(g.snapshot());
      HardState h = g.hardState();
      buf.put((byte) (h == null ? 0 : 1));
      putHardState(h == null ? HardState.EMPTY : h);
      putEntries(g.entries());
      end(start);
    }

    private int begin(byte type, long groupId) {
      ensure(HEADER_BYTES + PREFIX_BYTES);
      int start = buf.position();
      buf.position(start + HEADER_BYTES);
      buf.put(type).putLong(groupId);
      return start;
    }

    private void end(int start) {
      int end = buf.position();
      int length = end - start - HEADER_BYTES;
      ByteBuffer body = buf.duplicate().position(start + HEADER_BYTES).limit(end);
      crc.reset();
      crc.update(body);
      buf.putInt(start, length).putInt(start + 4, (int) crc.getValue());
    }

    private void putSnapshot(Snapshot s) {
      Membership m = s.membership();
      buf.putLong(s.index()).putLong(s.term()).putInt(m.voters().size()).putInt(m.learners().size());
      m.voters().forEach(buf::putLong);
      m.learners().forEach(buf::putLong);
      buf.putInt(s.data().length).put(s.data());
    }

    private void putEntries(List<Entry> entries) {
      buf.putInt(entries.size());
      for (Entry e : entries) {
        buf.putLong(e.index()).putLong(e.term()).put((byte) e.type().ordinal()).putInt(e.data().length).put(e.data());
      }
    }

    private void putHardState(HardState h) {
      buf.putLong(h.term()).putLong(h.vote()).putLong(h.commit());
    }

    private void ensure(int more) {
      if (buf.remaining() >= more) {
        return;
      }
      int size = Math.max(buf.capacity() * 2, buf.position() + more);
      ByteBuffer bigger = ByteBuffer.allocateDirect(size);
      bigger.put(buf.flip());
      buf = bigger;
    }
  }

  private static int snapshotBytes(Snapshot s) {
    if (s == null) {
      return 0;
    }
    Membership m = s.membership();
    return 8 + 8 + 4 + 4 + 8 * (m.voters().size() + m.learners().size()) + 4 + s.data().length;
  }

  private static int entriesBytes(List<Entry> entries) {
    int n = 4;
    for (Entry e : entries) {
      n += 21 + e.data().length;
    }
    return n;
  }

  /**
   * Whether the record at {@code buf}'s position (which has {@code length} checksummed bytes after the header) is
   * whole: the caller has checked that the bytes are there.
   */
  static boolean checksumMatches(ByteBuffer buf, int recordStart, int length, int expectedCrc) {
    CRC32C crc = new CRC32C();
    crc.update(buf.duplicate().position(recordStart + HEADER_BYTES).limit(recordStart + HEADER_BYTES + length));
    return (int) crc.getValue() == expectedCrc;
  }

  /**
   * Applies the record whose checksummed part is {@code body} (positioned after type and group id) to {@code g}.
   *
   * @throws IllegalArgumentException when the record does not apply (a gap in the log: the files are damaged)
   */
  static void apply(byte type, ByteBuffer body, RaftLogGroup g) {
    switch (type) {
      case WRITE -> {
        byte flags = body.get();
        Snapshot s = (flags & HAS_SNAPSHOT) != 0 ? getSnapshot(body) : null;
        List<Entry> entries = getEntries(body);
        HardState h = (flags & HAS_HARD_STATE) != 0 ? getHardState(body) : null;
        g.apply(new StoreWrite(s, entries, h, true));
      }
      case COMPACT -> g.compact(getSnapshot(body));
      case STATE -> {
        Snapshot s = getSnapshot(body);
        boolean hasHardState = body.get() != 0;
        HardState h = getHardState(body);
        g.replace(s, hasHardState ? h : null, getEntries(body));
      }
      default -> throw new IllegalArgumentException("unknown record type " + type);
    }
  }

  private static Snapshot getSnapshot(ByteBuffer b) {
    long index = b.getLong();
    long term = b.getLong();
    int voters = b.getInt();
    int learners = b.getInt();
    Set<Long> v = new LinkedHashSet<>();
    for (int i = 0; i < voters; i++) {
      v.add(b.getLong());
    }
    Set<Long> l = new LinkedHashSet<>();
    for (int i = 0; i < learners; i++) {
      l.add(b.getLong());
    }
    byte[] data = new byte[b.getInt()];
    b.get(data);
    Membership m = v.isEmpty() && l.isEmpty() ? Membership.EMPTY : new Membership(v, l);
    return index == 0 && term == 0 && data.length == 0 && m.equals(Membership.EMPTY) ? Snapshot.EMPTY
        : new Snapshot(index, term, m, data);
  }

  private static List<Entry> getEntries(ByteBuffer b) {
    int n = b.getInt();
    List<Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long index = b.getLong();
      long term = b.getLong();
      EntryType type = ENTRY_TYPES[b.get()];
      byte[] data = new byte[b.getInt()];
      b.get(data);
      entries.add(new Entry(index, term, type, data));
    }
    return entries;
  }

  private static HardState getHardState(ByteBuffer b) {
    return new HardState(b.getLong(), b.getLong(), b.getLong());
  }
}
