package io.raftoral.lmdb;

import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.NodeIdentity;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.storage.StorageException;
import io.raftoral.storage.StoreWrite;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;

/**
 * The store's layout in LMDB and every read and write of it, inside a transaction the caller owns (all keys
 * big-endian, so each group's log is contiguous and ordered by index):
 * <ul>
 *   <li>{@code log}: {@code [groupId:8][index:8]} &rarr; {@code [term:8][type:1][data]}
 *   <li>{@code meta}: {@code [groupId:8][tag:1]} &rarr; hard state (tag 1) or snapshot metadata (tag 2: index,
 *       term, voters, learners, chunk count, length)
 *   <li>{@code snap}: {@code [groupId:8][chunk:4]} &rarr; up to {@value #CHUNK_BYTES} bytes of state-machine
 *       snapshot, so a large snapshot is written and read piecewise
 *   <li>{@code node}: {@code "identity"} &rarr; {@code [nodeId:8][clusterName]}
 * </ul>
 */
final class LmdbTables {

  static final int CHUNK_BYTES = 256 * 1024;
  private static final byte TAG_HARD_STATE = 1;
  private static final byte TAG_SNAPSHOT = 2;
  /** An entry's value: term (8 bytes), then its type (1 byte), then its data. */
  private static final int ENTRY_HEADER_BYTES = 9;
  private static final int TYPE_OFFSET = 8;

  private final Path directory;
  private final Dbi<ByteBuffer> log;
  private final Dbi<ByteBuffer> meta;
  private final Dbi<ByteBuffer> snap;
  private final Dbi<ByteBuffer> node;

  LmdbTables(Env<ByteBuffer> env, Path directory) {
    this.directory = directory;
    this.log = env.openDbi("log", DbiFlags.MDB_CREATE);
    this.meta = env.openDbi("meta", DbiFlags.MDB_CREATE);
    this.snap = env.openDbi("snap", DbiFlags.MDB_CREATE);
    this.node = env.openDbi("node", DbiFlags.MDB_CREATE);
  }

  /** Ids of the groups with stored state. */
  Set<Long> groupsIn(Txn<ByteBuffer> txn) {
    Set<Long> ids = new TreeSet<>();
    try (Cursor<ByteBuffer> c = meta.openCursor(txn)) {
      boolean found = c.first();
      while (found) {
        ids.add(c.key().getLong(0));
        found = c.next();
      }
    }
    return ids;
  }

  NodeIdentity identityIn(Txn<ByteBuffer> txn) {
    ByteBuffer v = node.get(txn, identityKey());
    if (v == null) {
      return null;
    }
    long id = v.getLong(0);
    byte[] name = new byte[v.remaining() - 8];
    v.position(8);
    v.get(name);
    return new NodeIdentity(id, new String(name, StandardCharsets.UTF_8));
  }

  /** Forgets the recorded identity (a restored copy then registers as a new node). */
  void deleteIdentityIn(Txn<ByteBuffer> txn) {
    node.delete(txn, identityKey());
  }

  /** Records {@code identity}; refused when the store already belongs to another node or cluster. */
  void putIdentity(Txn<ByteBuffer> txn, NodeIdentity identity) {
    NodeIdentity existing = identityIn(txn);
    if (existing != null && !existing.equals(identity)) {
      throw new StorageException("storage directory " + directory.toAbsolutePath() + " belongs to "
          + existing + ", not " + identity);
    }
    byte[] name = identity.clusterName().getBytes(StandardCharsets.UTF_8);
    node.put(txn, identityKey(), direct(8 + name.length).putLong(identity.nodeId()).put(name).flip());
  }

  PersistentState loadIn(Txn<ByteBuffer> txn, long groupId) {
    // lmdbjava reuses one buffer for the values a transaction returns: decode each before the next get.
    ByteBuffer hs = meta.get(txn, metaKey(groupId, TAG_HARD_STATE));
    HardState hardState = hs == null ? HardState.EMPTY : new HardState(hs.getLong(0), hs.getLong(8), hs.getLong(16));
    ByteBuffer sm = meta.get(txn, metaKey(groupId, TAG_SNAPSHOT));
    Snapshot snapshot = sm == null ? Snapshot.EMPTY : readSnapshot(txn, groupId, sm);
    List<Entry> entries = new ArrayList<>();
    try (Cursor<ByteBuffer> c = log.openCursor(txn)) {
      boolean found = c.get(logKey(groupId, snapshot.index() + 1), GetOp.MDB_SET_RANGE);
      while (found && c.key().getLong(0) == groupId) {
        long index = c.key().getLong(8);
        ByteBuffer v = c.val();
        byte[] data = new byte[v.remaining() - ENTRY_HEADER_BYTES];
        v.position(ENTRY_HEADER_BYTES);
        v.get(data);
        entries.add(new Entry(index, v.getLong(0), EntryType.values()[v.get(TYPE_OFFSET)], data));
        found = c.next();
      }
    }
    if (hs == null && sm == null && entries.isEmpty()) {
      return null;
    }
    try {
      return new PersistentState(hardState, snapshot, entries);
    } catch (IllegalArgumentException e) {
      throw new StorageException("storage directory " + directory.toAbsolutePath() + ": group " + groupId
          + " has an inconsistent log: " + e.getMessage(), e);
    }
  }

  private Snapshot readSnapshot(Txn<ByteBuffer> txn, long groupId, ByteBuffer m) {
    long index = m.getLong(0);
    long term = m.getLong(8);
    int voters = m.getInt(16);
    int learners = m.getInt(20);
    int pos = 24;
    Set<Long> v = new TreeSet<>();
    for (int i = 0; i < voters; i++, pos += 8) {
      v.add(m.getLong(pos));
    }
    Set<Long> l = new TreeSet<>();
    for (int i = 0; i < learners; i++, pos += 8) {
      l.add(m.getLong(pos));
    }
    int chunks = m.getInt(pos);
    int length = m.getInt(pos + 4);
    byte[] data = new byte[length];
    int off = 0;
    for (int i = 0; i < chunks; i++) {
      ByteBuffer chunk = snap.get(txn, snapKey(groupId, i));
      if (chunk == null) {
        throw new StorageException("storage directory " + directory.toAbsolutePath() + ": group " + groupId
            + " snapshot " + index + " misses chunk " + i);
      }
      int n = chunk.remaining();
      chunk.get(data, off, n);
      off += n;
    }
    return new Snapshot(index, term, new Membership(v, l), data);
  }

  /**
   * The id of the group's snapshot file when its stored snapshot data is a {@link SnapshotRef} (the data lives in a
   * file beside the environment), else null (an inline snapshot, or none).
   */
  String snapshotRefIdIn(Txn<ByteBuffer> txn, long groupId) {
    ByteBuffer first = snap.get(txn, snapKey(groupId, 0));
    if (first == null) {
      return null;
    }
    byte[] head = new byte[Math.min(first.remaining(), Integer.BYTES)];
    first.get(head);
    if (!SnapshotRef.isRef(head)) {
      return null;
    }
    ByteBuffer sm = meta.get(txn, metaKey(groupId, TAG_SNAPSHOT));
    return sm == null ? null : SnapshotRef.decode(readSnapshot(txn, groupId, sm).data()).id();
  }

  void applyWrite(Txn<ByteBuffer> txn, long groupId, StoreWrite w) {
    if (w.snapshot() != null) {
      deleteRange(txn, log, logKey(groupId, 0), groupId);
      putSnapshot(txn, groupId, w.snapshot());
    }
    if (!w.entries().isEmpty()) {
      long first = w.entries().get(0).index();
      deleteRange(txn, log, logKey(groupId, first), groupId);
      long last = lastIndexIn(txn, groupId);
      if (first != last + 1) {
        throw new StorageException("storage " + directory.toAbsolutePath() + ": group " + groupId + " write of entry "
            + first + " leaves a gap after " + last);
      }
      for (Entry e : w.entries()) {
        ByteBuffer v = direct(ENTRY_HEADER_BYTES + e.data().length).putLong(e.term()).put((byte) e.type().ordinal()).put(e.data()).flip();
        log.put(txn, logKey(groupId, e.index()), v);
      }
    }
    if (w.hardState() != null) {
      HardState h = w.hardState();
      meta.put(txn, metaKey(groupId, TAG_HARD_STATE), direct(24).putLong(h.term()).putLong(h.vote())
          .putLong(h.commit()).flip());
    }
  }

  /** Last stored index of a group: its last entry, else its snapshot index, else 0. */
  private long lastIndexIn(Txn<ByteBuffer> txn, long groupId) {
    try (Cursor<ByteBuffer> c = log.openCursor(txn)) {
      if (c.get(logKey(groupId, Long.MAX_VALUE), GetOp.MDB_SET_RANGE)) {
        if (!c.prev()) {
          return snapshotIndexIn(txn, groupId);
        }
      } else if (!c.last()) {
        return snapshotIndexIn(txn, groupId);
      }
      if (c.key().getLong(0) == groupId) {
        return c.key().getLong(8);
      }
    }
    return snapshotIndexIn(txn, groupId);
  }

  private long snapshotIndexIn(Txn<ByteBuffer> txn, long groupId) {
    ByteBuffer m = meta.get(txn, metaKey(groupId, TAG_SNAPSHOT));
    return m == null ? 0 : m.getLong(0);
  }

  void applyCompaction(Txn<ByteBuffer> txn, long groupId, Snapshot s) {
    if (s.index() <= snapshotIndexIn(txn, groupId)) {
      return;
    }
    // Entries up to the snapshot are deleted for real: LMDB reuses their pages.
    try (Cursor<ByteBuffer> c = log.openCursor(txn)) {
      boolean found = c.get(logKey(groupId, 0), GetOp.MDB_SET_RANGE);
      while (found && c.key().getLong(0) == groupId && c.key().getLong(8) <= s.index()) {
        c.delete();
        found = c.next(); // after a delete LMDB leaves the cursor on the following record; next() returns it
      }
    }
    putSnapshot(txn, groupId, s);
  }

  private void putSnapshot(Txn<ByteBuffer> txn, long groupId, Snapshot s) {
    deleteRange(txn, snap, snapKey(groupId, 0), groupId);
    byte[] data = s.data();
    int chunks = (data.length + CHUNK_BYTES - 1) / CHUNK_BYTES;
    ByteBuffer chunkBuf = ByteBuffer.allocateDirect(Math.min(CHUNK_BYTES, Math.max(1, data.length)));
    for (int i = 0; i < chunks; i++) {
      int off = i * CHUNK_BYTES;
      int len = Math.min(CHUNK_BYTES, data.length - off);
      chunkBuf.clear();
      chunkBuf.put(data, off, len).flip();
      snap.put(txn, snapKey(groupId, i), chunkBuf);
    }
    Membership m = s.membership();
    ByteBuffer mv = direct(24 + 8 * (m.voters().size() + m.learners().size()) + 8)
        .putLong(s.index()).putLong(s.term()).putInt(m.voters().size()).putInt(m.learners().size());
    m.voters().forEach(mv::putLong);
    m.learners().forEach(mv::putLong);
    mv.putInt(chunks).putInt(data.length).flip();
    meta.put(txn, metaKey(groupId, TAG_SNAPSHOT), mv);
  }

  void deleteAll(Txn<ByteBuffer> txn, long groupId) {
    deleteRange(txn, log, logKey(groupId, 0), groupId);
    deleteRange(txn, snap, snapKey(groupId, 0), groupId);
    meta.delete(txn, metaKey(groupId, TAG_HARD_STATE));
    meta.delete(txn, metaKey(groupId, TAG_SNAPSHOT));
  }

  /** Deletes every key of {@code db} from {@code from} on whose first 8 bytes are {@code groupId}. */
  private static void deleteRange(Txn<ByteBuffer> txn, Dbi<ByteBuffer> db, ByteBuffer from, long groupId) {
    try (Cursor<ByteBuffer> c = db.openCursor(txn)) {
      boolean found = c.get(from, GetOp.MDB_SET_RANGE);
      while (found && c.key().getLong(0) == groupId) {
        c.delete();
        found = c.next(); // after a delete LMDB leaves the cursor on the following record; next() returns it
      }
    }
  }

  private static ByteBuffer direct(int size) {
    return ByteBuffer.allocateDirect(size);
  }

  static ByteBuffer logKey(long groupId, long index) {
    return direct(16).putLong(groupId).putLong(index).flip();
  }

  private static ByteBuffer metaKey(long groupId, byte tag) {
    return direct(9).putLong(groupId).put(tag).flip();
  }

  private static ByteBuffer snapKey(long groupId, int chunk) {
    return direct(12).putLong(groupId).putInt(chunk).flip();
  }

  private static ByteBuffer identityKey() {
    byte[] k = "identity".getBytes(StandardCharsets.US_ASCII);
    return direct(k.length).put(k).flip();
  }
}
