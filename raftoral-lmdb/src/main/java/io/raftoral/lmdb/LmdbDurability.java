package io.raftoral.lmdb;

/**
 * What an acknowledged write of the LMDB store survives. LMDB keeps two meta pages and commits by writing the one
 * that points at the new data pages; the store stays consistent only if the data pages reach the disk before that
 * meta page does. A page cache flushes in any order, so only an fsync between the two keeps that order.
 */
public enum LmdbDurability {

  /**
   * Survives a power cut (the default): the environment runs with {@code MDB_NOMETASYNC}, so each commit fsyncs its
   * data pages before writing the meta page, and a batch is acknowledged only once that meta page is on disk too:
   * flushed by the next batch's data fsync when more writes are waiting (about one fsync per batch under load), or
   * by an explicit sync when none is (two fsyncs for a lone write).
   */
  POWER_LOSS,

  /**
   * Survives the process being killed (the page cache outlives it) and the machine crashing on file systems that keep
   * write order, but not a power cut on a disk that reorders writes: {@code MDB_NOSYNC} and one explicit fsync per
   * batch after the commit. About one fsync less per lone write; a choice for machines with power-loss protection.
   */
  PROCESS_CRASH
}
