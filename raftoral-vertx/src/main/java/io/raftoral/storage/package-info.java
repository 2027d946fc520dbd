/**
 * The {@link io.raftoral.storage.LogStore} SPI through which Raft groups persist their log, hard state and
 * snapshots, and {@link io.raftoral.storage.InMemoryLogStore}, a store that keeps everything in memory but models
 * durability (asynchronous flushes, lost on a simulated crash) for tests.
 */
package io.raftoral.storage;
