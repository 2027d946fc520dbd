/**
 * LMDB persistence for Raftoral (module {@code raftoral-lmdb}): a durable log, state and snapshot
 * store built on lmdbjava that implements the core's {@code LogStore} SPI. One store serves all Raft groups of a
 * node, so one LMDB write transaction (and one fsync) covers the appends of every group (group commit); writes run
 * on a single named worker thread per environment, never on an event loop.
 */
package io.raftoral.lmdb;
