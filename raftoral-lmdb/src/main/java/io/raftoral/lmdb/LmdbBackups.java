package io.raftoral.lmdb;

import io.raftoral.storage.NodeIdentity;
import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * Restoring a backup taken by {@link LmdbLogStore#backup} into a node's storage directory, offline (the node is
 * stopped).
 *
 * <p>A restored node never comes back with the identity of the node that was backed up. That node's Raft state in
 * the backup (its term, its vote, its log) is older than what it had promised its peers when it went down: a voter
 * restarted on it could vote twice in a term or forget entries it acknowledged, and two leaders of one term, or a
 * lost committed entry, would follow. So the copy keeps the data (the groups' snapshots and logs, which a new member
 * only has to catch up from) and forgets the node identity: started with {@code --peers}, the node registers and
 * gets a new id, the cluster manager places it like any new node, and each group's leader brings its copy up to
 * date (conflicting uncommitted entries are overwritten, as for any follower). The old id stays failed until an
 * operator removes it ({@code admin remove-node}) or the failed-node retention runs out.
 */
public final class LmdbBackups {

  /** The file an LMDB environment keeps its data in. */
  static final String DATA_FILE = "data.mdb";
  private static final String LOCK_FILE = "lock.mdb";
  private static final int RESTORE_MAX_DBS = 8;

  private LmdbBackups() {}

  /**
   * Copies the backup in {@code backupDirectory} (the LMDB data and the snapshot files it refers to) into
   * {@code storageDirectory} (missing or empty) and forgets the
   * node identity recorded in the copy. Blocking: for the offline restore command.
   *
   * @return the identity the backup belonged to (null if it recorded none)
   * @throws StorageException when the backup holds no LMDB data or the target is not empty
   */
  public static NodeIdentity restore(Path backupDirectory, Path storageDirectory) {
    Path data = backupDirectory.resolve(DATA_FILE);
    if (!Files.isRegularFile(data)) {
      throw new StorageException("backup directory " + backupDirectory.toAbsolutePath() + " holds no " + DATA_FILE);
    }
    prepareEmptyDirectory(storageDirectory);
    try {
      Files.copy(data, storageDirectory.resolve(DATA_FILE));
      copySnapshotTree(new LmdbSnapshotLayout(backupDirectory).root(), new LmdbSnapshotLayout(storageDirectory).root());
      copyLogFiles(backupDirectory.resolve(RaftLogFiles.DIRECTORY), storageDirectory.resolve(RaftLogFiles.DIRECTORY));
    } catch (IOException e) {
      throw new StorageException("copying " + backupDirectory.toAbsolutePath() + " to "
          + storageDirectory.toAbsolutePath() + " failed: " + e, e);
    }
    try (Env<ByteBuffer> env = openCopy(storageDirectory)) {
      LmdbTables tables = new LmdbTables(env, storageDirectory);
      NodeIdentity was;
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        was = tables.identityIn(txn);
        tables.deleteIdentityIn(txn);
        txn.commit();
      }
      env.sync(true);
      return was;
    } catch (LmdbException e) {
      throw new StorageException("restored copy in " + storageDirectory.toAbsolutePath()
          + " is not a readable Raftoral LMDB store: " + e.getMessage(), e);
    }
  }

  /**
   * Copies into backup {@code target} (whose LMDB copy is in place) the snapshot files its copy records, from the
   * live store's {@code files}: the backup then holds each group's snapshot as of the moment of the LMDB copy. The
   * caller pinned every kept file before the copy began, so none of those can go meanwhile; a file recorded later
   * is the newest of its group, or fails the backup (retry) if two more snapshots replaced it already.
   *
   * @return the bytes copied
   */
  static long copySnapshotFiles(LmdbSnapshotFiles files, Path target) throws IOException {
    return copySnapshotFiles(files, target, recordedSnapshotFiles(target));
  }

  /** {@link #copySnapshotFiles(LmdbSnapshotFiles, Path)} for the snapshot files {@code recordedIds} names, by group. */
  static long copySnapshotFiles(LmdbSnapshotFiles files, Path target, Map<Long, String> recordedIds)
      throws IOException {
    LmdbSnapshotLayout targetLayout = new LmdbSnapshotLayout(target);
    long bytes = 0;
    for (Map.Entry<Long, String> recorded : recordedIds.entrySet()) {
      long clusterId = recorded.getKey();
      String id = recorded.getValue();
      LmdbSnapshotFiles.Key key;
      try {
        key = files.acquire(clusterId, id);
      } catch (SnapshotNotFoundException e) {
        throw new StorageException("snapshot " + id + " of cluster " + clusterId + " was replaced while the backup"
            + " ran; take the backup again", e);
      }
      try {
        Path copy = targetLayout.kept(clusterId, id);
        Files.createDirectories(copy.getParent());
        Files.copy(files.layout().kept(clusterId, id), copy);
        bytes += Files.size(copy);
      } finally {
        files.release(key);
      }
    }
    return bytes;
  }

  /** The snapshot file each group's snapshot refers to in the LMDB copy in {@code directory}, by group. */
  private static Map<Long, String> recordedSnapshotFiles(Path directory) throws IOException {
    Path lock = directory.resolve(LOCK_FILE);
    boolean hadLock = Files.exists(lock);
    Map<Long, String> ids = new TreeMap<>();
    try (Env<ByteBuffer> env = openCopy(directory)) {
      LmdbTables tables = new LmdbTables(env, directory);
      try (Txn<ByteBuffer> txn = env.txnRead()) {
        for (long clusterId : tables.groupsIn(txn)) {
          String id = tables.snapshotRefIdIn(txn, clusterId);
          if (id != null) {
            ids.put(clusterId, id);
          }
        }
      }
    } catch (LmdbException e) {
      throw new StorageException("backup copy in " + directory.toAbsolutePath() + " is not readable: "
          + e.getMessage(), e);
    }
    if (!hadLock) {
      Files.deleteIfExists(lock); // a backup holds data only
    }
    return ids;
  }

  /** Copies the kept snapshot files of every group from {@code from} to {@code to} (nothing if there are none). */
  private static void copySnapshotTree(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      return;
    }
    for (Path groupDirectory : LmdbSnapshotRecovery.list(from)) {
      for (Path file : LmdbSnapshotRecovery.list(groupDirectory)) {
        if (LmdbSnapshotLayout.idOf(file, LmdbSnapshotLayout.KEPT) != null) {
          Path copy = to.resolve(groupDirectory.getFileName().toString()).resolve(file.getFileName().toString());
          Files.createDirectories(copy.getParent());
          Files.copy(file, copy);
        }
      }
    }
  }

  /** Copies the Raft log segment files of a backup (nothing for a backup of a store that kept its logs in LMDB). */
  private static void copyLogFiles(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      return;
    }
    Files.createDirectories(to);
    for (Path file : LmdbSnapshotRecovery.list(from)) {
      Files.copy(file, to.resolve(file.getFileName().toString()));
    }
  }

  private static Env<ByteBuffer> openCopy(Path directory) {
    long dataBytes = directory.resolve(DATA_FILE).toFile().length();
    return Env.create().setMaxDbs(RESTORE_MAX_DBS)
        .setMapSize(Math.max(LmdbStoreOptions.DEFAULT_INITIAL_MAP_BYTES, dataBytes))
        .open(directory.toFile());
  }

  /** Creates {@code directory} if missing; refuses one that holds anything (a backup never overwrites). */
  static void prepareEmptyDirectory(Path directory) {
    try {
      Files.createDirectories(directory);
      try (Stream<Path> entries = Files.list(directory)) {
        if (entries.findAny().isPresent()) {
          throw new StorageException("target directory " + directory.toAbsolutePath() + " is not empty");
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot use target directory " + directory.toAbsolutePath() + ": " + e, e);
    }
  }
}
