package io.raftoral.storage;

/** Snapshot data received from a peer does not match the checksum its reference names. */
public final class SnapshotChecksumException extends StorageException {

  private static final long serialVersionUID = 1L;

  public SnapshotChecksumException(String message) {
    super(message);
  }
}
