package io.raftoral.lmdb;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * Where an {@link LmdbLogStore} keeps snapshot data, beside its LMDB environment (never in one LMDB value):
 * {@code <store>/snapshots/<clusterId>/} holds
 * <ul>
 *   <li>{@code <id>.snap}: a kept snapshot, durable and complete (readable by peers, openable for a restore)
 *   <li>{@code <id>.tmp}: a snapshot its producer is still writing (an orphan after a crash, removed at start)
 *   <li>{@code <id>.part} and {@code <id>.ref}: a snapshot being received from a peer and the encoded
 *       {@link io.raftoral.storage.SnapshotRef} it must match, so that the transfer resumes after a restart
 * </ul>
 * Snapshot ids come from peers too, so only plain names are accepted (no path separators, no leading dot).
 */
final class LmdbSnapshotLayout {

  static final String DIRECTORY = "snapshots";
  static final String KEPT = ".snap";
  static final String TEMP = ".tmp";
  static final String PART = ".part";
  static final String PART_REF = ".ref";
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private final Path root;

  LmdbSnapshotLayout(Path storeDirectory) {
    this.root = storeDirectory.resolve(DIRECTORY);
  }

  /** The directory of every group's snapshot files. */
  Path root() {
    return root;
  }

  Path groupDirectory(long clusterId) {
    return root.resolve(Long.toString(clusterId));
  }

  Path kept(long clusterId, String id) {
    return file(clusterId, id, KEPT);
  }

  Path temp(long clusterId, String id) {
    return file(clusterId, id, TEMP);
  }

  Path part(long clusterId, String id) {
    return file(clusterId, id, PART);
  }

  Path partRef(long clusterId, String id) {
    return file(clusterId, id, PART_REF);
  }

  /** Whether {@code id} may name a file (ids of peers' snapshots arrive over the network). */
  static boolean isSafeId(String id) {
    return id != null && SAFE_ID.matcher(id).matches();
  }

  /** The snapshot id of {@code file} when its name ends with {@code suffix}, else null. */
  static String idOf(Path file, String suffix) {
    String name = file.getFileName().toString();
    if (!name.endsWith(suffix)) {
      return null;
    }
    String id = name.substring(0, name.length() - suffix.length());
    return isSafeId(id) ? id : null;
  }

  /** Forces {@code path} (a file or a directory: a rename is durable only once its directory is) to the disk. */
  static void fsync(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private Path file(long clusterId, String id, String suffix) {
    if (!isSafeId(id)) {
      throw new IllegalArgumentException("not a snapshot id: " + id);
    }
    return groupDirectory(clusterId).resolve(id + suffix);
  }
}
