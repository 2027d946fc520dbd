package io.raftoral.transport;

/**
 * The limits and request checks the network transports share for out-of-band snapshot transfers
 * ({@link Transport#fetchSnapshot}): the fetching side refuses a bad request before it reaches the network, the
 * serving side refuses one from a peer with the protocol's "bad request" answer.
 */
public final class SnapshotTransfers {

  /** Largest chunk a fetching node may ask for: the frame limit of a Raft message, so a chunk never exceeds it. */
  public static final int MAX_CHUNK_BYTES = 16 * 1024 * 1024;
  /**
   * Bytes the serving side reads from its {@link SnapshotSource} at a time and writes as one message: small enough
   * that a transfer holds little memory and flow control reacts quickly, large enough that reads stay cheap.
   */
  public static final int PIECE_BYTES = 256 * 1024;
  /** Longest snapshot id accepted (stores use short generated ids; this only bounds what a peer can send). */
  public static final int MAX_SNAPSHOT_ID_LENGTH = 256;

  private SnapshotTransfers() {}

  /** Null when a request for these values is well formed; else what is wrong with it, for the refusal. */
  public static String problem(String snapshotId, long offset, int chunkSize) {
    String idProblem = idProblem(snapshotId);
    if (idProblem != null) {
      return idProblem;
    }
    if (offset < 0) {
      return "offset must be >= 0, was " + offset;
    }
    if (chunkSize <= 0 || chunkSize > MAX_CHUNK_BYTES) {
      return "chunk size must be in 1.." + MAX_CHUNK_BYTES + ", was " + chunkSize;
    }
    return null;
  }

  /**
   * Null when {@code snapshotId} can name a snapshot: 1 to {@value #MAX_SNAPSHOT_ID_LENGTH} characters, none of
   * them a control character (ids travel in URL paths and log lines).
   */
  public static String idProblem(String snapshotId) {
    if (snapshotId == null || snapshotId.isEmpty()) {
      return "snapshot id must not be empty";
    }
    if (snapshotId.length() > MAX_SNAPSHOT_ID_LENGTH) {
      return "snapshot id longer than " + MAX_SNAPSHOT_ID_LENGTH + " characters";
    }
    if (snapshotId.chars().anyMatch(Character::isISOControl)) {
      return "snapshot id contains a control character";
    }
    return null;
  }
}
