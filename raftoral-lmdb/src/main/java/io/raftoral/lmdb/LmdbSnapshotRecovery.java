package io.raftoral.lmdb;

import io.raftoral.storage.SnapshotDigest;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the snapshot files look like when a store opens (blocking: runs in {@link LmdbLogStore#open}): a producer's
 * temporary file is an orphan of a crash and goes; a partially received snapshot is checked chunk by chunk against
 * the CRC32Cs of its reference and cut back to its last good chunk (a power cut may have lost the tail the page
 * cache held), so that its transfer resumes from there.
 */
final class LmdbSnapshotRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(LmdbSnapshotRecovery.class);

  /** A partially received snapshot found at start: its reference and the bytes that passed their CRC32C. */
  record PartialSnapshot(SnapshotRef ref, long verified) {}

  private LmdbSnapshotRecovery() {}

  /** Cleans {@code layout}'s files up; returns the partial snapshots that can resume, by group and id. */
  static Map<LmdbSnapshotFiles.Key, PartialSnapshot> recover(LmdbSnapshotLayout layout) {
    Map<LmdbSnapshotFiles.Key, PartialSnapshot> partials = new HashMap<>();
    if (!Files.isDirectory(layout.root())) {
      return partials;
    }
    try {
      for (Path groupDirectory : list(layout.root())) {
        Long clusterId = clusterIdOf(groupDirectory);
        if (clusterId != null && Files.isDirectory(groupDirectory)) {
          recoverGroup(layout, clusterId, groupDirectory, partials);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot scan snapshot files in " + layout.root().toAbsolutePath() + ": " + e, e);
    }
    return partials;
  }

  private static void recoverGroup(LmdbSnapshotLayout layout, long clusterId, Path groupDirectory,
      Map<LmdbSnapshotFiles.Key, PartialSnapshot> partials) throws IOException {
    for (Path file : list(groupDirectory)) {
      String orphan = LmdbSnapshotLayout.idOf(file, LmdbSnapshotLayout.TEMP);
      if (orphan != null) {
        Files.deleteIfExists(file);
        LOG.info("removed unfinished snapshot file {}", file);
        continue;
      }
      String id = LmdbSnapshotLayout.idOf(file, LmdbSnapshotLayout.PART);
      if (id == null) {
        continue;
      }
      Path refFile = layout.partRef(clusterId, id);
      SnapshotRef ref = readRef(refFile, id);
      if (ref == null) {
        Files.deleteIfExists(file);
        Files.deleteIfExists(refFile);
        continue;
      }
      long verified = truncateToVerifiedChunks(file, ref);
      partials.put(new LmdbSnapshotFiles.Key(clusterId, id), new PartialSnapshot(ref, verified));
    }
    for (Path file : list(groupDirectory)) {
      String id = LmdbSnapshotLayout.idOf(file, LmdbSnapshotLayout.PART_REF);
      if (id != null && !Files.exists(layout.part(clusterId, id))) {
        Files.deleteIfExists(file); // a transfer that had not written its first chunk: nothing to resume
      }
    }
  }

  /** The reference saved beside a partial file, or null when it is missing, damaged or names another id. */
  private static SnapshotRef readRef(Path refFile, String id) {
    try {
      SnapshotRef ref = SnapshotRef.decode(Files.readAllBytes(refFile));
      return ref.id().equals(id) ? ref : null;
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Checks the whole chunks of {@code part} against {@code ref} and cuts the file after the last good one.
   *
   * @return the verified length
   */
  static long truncateToVerifiedChunks(Path part, SnapshotRef ref) throws IOException {
    try (FileChannel channel = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long length = channel.size();
      ByteBuffer buffer = ByteBuffer.allocate(ref.chunkSize());
      long verified = 0;
      for (int chunk = 0; chunk < ref.chunks(); chunk++) {
        int chunkLength = ref.chunkLength(chunk);
        if (verified + chunkLength > length) {
          break;
        }
        buffer.clear().limit(chunkLength);
        LmdbSnapshotFiles.readFully(channel, buffer, verified);
        if (SnapshotDigest.crc32c(buffer.array(), 0, chunkLength) != ref.chunkCrcs()[chunk]) {
          LOG.warn("snapshot file {}: chunk {} is damaged, the transfer resumes before it", part, chunk);
          break;
        }
        verified += chunkLength;
      }
      if (length != verified) {
        channel.truncate(verified);
      }
      return verified;
    }
  }

  /** The group a directory of snapshot files belongs to, or null for a stray name. */
  static Long clusterIdOf(Path groupDirectory) {
    try {
      return Long.parseLong(groupDirectory.getFileName().toString());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static List<Path> list(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.toList();
    }
  }
}
