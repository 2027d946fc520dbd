package io.raftoral.lmdb;

import io.raftoral.storage.NodeIdentity;
import io.raftoral.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private static final int RESTORE_MAX_DBS = 8;

  private LmdbBackups() {}

  /**
   * Copies the backup in {@code backupDirectory} into {@code storageDirectory} (missing or empty) and forgets the
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
    } catch (IOException e) {
      throw new StorageException("copying " + data + " to " + storageDirectory.toAbsolutePath() + " failed: " + e, e);
    }
    try (Env<ByteBuffer> env = Env.create().setMaxDbs(RESTORE_MAX_DBS)
        .setMapSize(Math.max(LmdbStoreOptions.DEFAULT_INITIAL_MAP_BYTES, storageDirectory.resolve(DATA_FILE).toFile().length()))
        .open(storageDirectory.toFile())) {
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
