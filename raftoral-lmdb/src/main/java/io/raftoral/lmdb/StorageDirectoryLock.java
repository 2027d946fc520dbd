package io.raftoral.lmdb;

import io.raftoral.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * An exclusive lock on a storage directory ({@code raftoral.lock} in it), so that a second process cannot open a
 * store that a node is using: LMDB itself lets several processes share an environment, and two nodes on one storage
 * would share one Raft identity. The operating system drops the lock when the process dies, so a node killed with
 * SIGKILL restarts on its storage at once.
 *
 * <p>Within one JVM the lock is shared: stores of the same directory opened again in the same process (a restart in
 * a test, a store abandoned by a simulated crash) count their users and the last one releases it.
 */
final class StorageDirectoryLock {

  static final String FILE_NAME = "raftoral.lock";

  private static final Map<Path, StorageDirectoryLock> HELD = new HashMap<>();

  private final Path directory;
  private final FileChannel channel;
  private final FileLock lock;
  private int users;

  private StorageDirectoryLock(Path directory, FileChannel channel, FileLock lock) {
    this.directory = directory;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code directory} for this process.
   *
   * @throws StorageException naming the directory when another process holds it
   */
  static StorageDirectoryLock acquire(Path directory) {
    Path key = directory.toAbsolutePath().normalize();
    synchronized (HELD) {
      StorageDirectoryLock held = HELD.get(key);
      if (held == null) {
        held = lock(key);
        HELD.put(key, held);
      }
      held.users++;
      return held;
    }
  }

  private static StorageDirectoryLock lock(Path directory) {
    FileChannel channel = null;
    try {
      channel = FileChannel.open(directory.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new StorageException("storage directory " + directory + " is in use by another process: two nodes "
            + "must not share a storage (they would share one Raft identity)");
      }
      return new StorageDirectoryLock(directory, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StorageException("cannot lock storage directory " + directory + ": " + e, e);
    }
  }

  /** One user less; the last one releases the lock. */
  void release() {
    synchronized (HELD) {
      if (users == 0 || --users > 0) {
        return;
      }
      HELD.remove(directory);
      try {
        lock.release();
      } catch (IOException ignored) {
        // the channel's close below drops it too
      }
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing held any more
      }
    }
  }
}
