package io.raftoral.storage;

/** Storage cannot serve a request: damaged or foreign data, full disk, I/O failure. Names the location. */
public class StorageException extends RuntimeException {
  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
