package io.raftoral.storage;

/** The node asked for a snapshot does not keep it (never had it, or discarded it after a newer one). */
public final class SnapshotNotFoundException extends StorageException {

  private static final long serialVersionUID = 1L;

  public SnapshotNotFoundException(long clusterId, String snapshotId) {
    super("snapshot " + snapshotId + " of cluster " + clusterId + " is not kept here");
  }
}
