package io.raftoral.workflow.impl;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.raftoral.group.StateMachine;
import io.raftoral.storage.CheckpointStore;
import io.raftoral.workflow.WorkflowState;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot of a {@link WorkflowStateMachine}, streamed: never the whole state in one array.
 *
 * <p>Format 2 ({@link #MAGIC}): the end counter, the members' registrations (JSON), every record without its
 * journal (JSON each, in start order), then each held journal streamed from the checkpoint store: workflow id, first
 * held position, entry count and the entries as {@link CheckpointCodec} bytes. A restore clears the cluster's
 * checkpoint table and refills it in batches.
 *
 * <p>Format 1 (nodes before checkpoint history): one JSON object {@code {"endSeq", "workflows": [records with their
 * journals], "registrations"}}. Told apart by the first byte ({@code '{'} or white space against the magic's 'R').
 */
final class WorkflowSnapshotFormat {

  /** "RWF" and the format number: its first byte is never the start of a JSON text. */
  private static final byte[] MAGIC = {'R', 'W', 'F', 2};
  private static final int STREAM_BUFFER_BYTES = 64 * 1024;
  /** Entries read from the store at once while snapshotting, and written to it at once while restoring. */
  private static final int BATCH_ENTRIES = 512;
  private static final TypeReference<Map<Long, List<String>>> REGISTRATIONS = new TypeReference<>() {};

  private final ObjectMapper mapper;
  private final CheckpointStore store;
  private final long clusterId;

  WorkflowSnapshotFormat(ObjectMapper mapper, CheckpointStore store, long clusterId) {
    this.mapper = mapper;
    this.store = store;
    this.clusterId = clusterId;
  }

  /** Streams the state now, on the caller's thread (the group's context): journals are read through their heads. */
  void write(OutputStream target, long endSeq, Map<Long, List<String>> registrations,
      List<WorkflowRecord> records) throws IOException {
    Image image = image(endSeq, registrations, records);
    DataOutputStream out = image.writeHead(target);
    for (WorkflowRecord r : records) {
      if (r.journal.retained() > 0) {
        writeJournal(out, r);
      }
    }
    out.flush();
  }

  private void writeJournal(DataOutputStream out, WorkflowRecord r) throws IOException {
    Journal j = r.journal;
    writeBytes(out, r.id.getBytes(StandardCharsets.UTF_8));
    out.writeInt(j.first());
    out.writeInt(j.retained());
    for (int position = j.first(); position < j.size(); ) {
      List<StoredEntry> page = j.page(position, BATCH_ENTRIES);
      for (StoredEntry s : page) {
        writeBytes(out, CheckpointCodec.encode(s.entry(), s.at(), s.ownerNode()));
      }
      position += page.size();
    }
  }

  /**
   * Freezes the state for {@link StateMachine.FrozenSnapshot#write}: the records are encoded now (on the group's
   * context), the journals are only named (id and held positions) and streamed later from {@code frozen}, the
   * store's view of this moment, as the bytes it holds (no decoding).
   */
  StateMachine.FrozenSnapshot freeze(long endSeq, Map<Long, List<String>> registrations,
      List<WorkflowRecord> records, CheckpointStore.Frozen frozen) throws IOException {
    Image image = image(endSeq, registrations, records);
    List<HeldJournal> journals = new ArrayList<>();
    for (WorkflowRecord r : records) {
      if (r.journal.retained() > 0) {
        journals.add(new HeldJournal(r.id, r.journal.first(), r.journal.retained()));
      }
    }
    return new StateMachine.FrozenSnapshot() {
      @Override
      public void write(OutputStream target) throws IOException {
        DataOutputStream out = image.writeHead(target);
        for (HeldJournal j : journals) {
          writeHeldJournal(out, j, frozen);
        }
        out.flush();
      }

      @Override
      public void close() {
        frozen.close();
      }
    };
  }

  /** A journal as a snapshot holds it: positions {@code first} to {@code first + count - 1}. */
  private record HeldJournal(String id, int first, int count) {}

  private void writeHeldJournal(DataOutputStream out, HeldJournal j, CheckpointStore.Frozen frozen)
      throws IOException {
    writeBytes(out, j.id().getBytes(StandardCharsets.UTF_8));
    out.writeInt(j.first());
    out.writeInt(j.count());
    long end = (long) j.first() + j.count();
    for (long position = j.first(); position < end; ) {
      List<CheckpointStore.Stored> page = frozen.read(j.id(), position,
          (int) Math.min(BATCH_ENTRIES, end - position));
      if (page.isEmpty() || page.get(0).position() != position) {
        throw new IOException("checkpoint #" + position + " of workflow " + j.id()
            + " is missing from the checkpoint store");
      }
      for (CheckpointStore.Stored s : page) {
        if (s.position() != position) {
          throw new IOException("checkpoint #" + position + " of workflow " + j.id()
              + " is missing from the checkpoint store");
        }
        writeBytes(out, s.checkpoint());
        position++;
      }
    }
  }

  /** What precedes the journals: everything but them, encoded. */
  private Image image(long endSeq, Map<Long, List<String>> registrations, List<WorkflowRecord> records)
      throws IOException {
    List<byte[]> encoded = new ArrayList<>(records.size());
    int withHistory = 0;
    for (WorkflowRecord r : records) {
      encoded.add(encode(r));
      if (r.journal.retained() > 0) {
        withHistory++;
      }
    }
    return new Image(endSeq, mapper.writeValueAsBytes(registrations), encoded, withHistory);
  }

  /** A record's JSON; an ended record's is encoded once and kept with it (an ended record never changes). */
  private byte[] encode(WorkflowRecord r) throws IOException {
    if (r.state == WorkflowState.RUNNING) {
      return mapper.writeValueAsBytes(r);
    }
    if (r.endedJson == null) {
      r.endedJson = mapper.writeValueAsBytes(r);
    }
    return r.endedJson;
  }

  private record Image(long endSeq, byte[] registrations, List<byte[]> records, int withHistory) {
    /** Writes the head (up to the journal count) and returns the stream the journals follow in. */
    DataOutputStream writeHead(OutputStream target) throws IOException {
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(target, STREAM_BUFFER_BYTES));
      out.write(MAGIC);
      out.writeLong(endSeq);
      writeBytes(out, registrations);
      out.writeInt(records.size());
      for (byte[] r : records) {
        writeBytes(out, r);
      }
      out.writeInt(withHistory);
      return out;
    }
  }

  /** The state a snapshot holds; its journals are in the checkpoint store once {@link #read} returns. */
  record Restored(long endSeq, Map<Long, List<String>> registrations, List<WorkflowRecord> records) {}

  /**
   * Reads a snapshot of either format; every record gets its {@link Journal} (from {@code journals}), and the
   * cluster's checkpoint table holds exactly the snapshot's entries, committed, when this returns.
   */
  Restored read(InputStream source, JournalFactory journals) throws IOException {
    BufferedInputStream in = new BufferedInputStream(source, STREAM_BUFFER_BYTES);
    in.mark(MAGIC.length);
    byte[] head = in.readNBytes(MAGIC.length);
    in.reset();
    store.clear(clusterId);
    Batch batch = new Batch();
    Restored restored = Arrays.equals(head, MAGIC) ? readStreamed(new DataInputStream(in), journals, batch)
        : readJson(in, journals, batch);
    batch.flush();
    store.awaitCommitted(batch.lastTicket);
    return restored;
  }

  /** Makes the journal of a restored record. */
  interface JournalFactory {
    Journal journal(String workflowId);
  }

  private Restored readStreamed(DataInputStream in, JournalFactory journals, Batch batch) throws IOException {
    in.skipNBytes(MAGIC.length);
    long endSeq = in.readLong();
    Map<Long, List<String>> registrations = mapper.readValue(readBytes(in), REGISTRATIONS);
    int count = in.readInt();
    List<WorkflowRecord> records = new ArrayList<>(count);
    Map<String, WorkflowRecord> byId = new HashMap<>();
    for (int i = 0; i < count; i++) {
      WorkflowRecord r = mapper.readValue(readBytes(in), WorkflowRecord.class);
      r.journal = journals.journal(r.id);
      r.journal.restoreBounds(r.checkpointCount, r.checkpointCount);
      records.add(r);
      byId.put(r.id, r);
    }
    int withHistory = in.readInt();
    for (int i = 0; i < withHistory; i++) {
      String id = new String(readBytes(in), StandardCharsets.UTF_8);
      WorkflowRecord r = byId.get(id);
      if (r == null) {
        throw new IOException("journal of unknown workflow " + id);
      }
      int first = in.readInt();
      int entries = in.readInt();
      r.journal.restoreBounds(first, first + entries);
      for (int k = 0; k < entries; k++) {
        byte[] bytes = readBytes(in);
        long position = (long) first + k;
        batch.add(id, position, bytes);
        if (entries - k <= Journal.HOT_TAIL) {
          r.journal.restoreTail(CheckpointCodec.decode(position, bytes));
        }
      }
    }
    return new Restored(endSeq, registrations, records);
  }

  private Restored readJson(InputStream in, JournalFactory journals, Batch batch) throws IOException {
    JsonNode root = mapper.readTree(in);
    List<WorkflowRecord> records = new ArrayList<>();
    for (JsonNode node : root.path("workflows")) {
      JsonNode journalNode = node.path("journal");
      List<JournalEntry> entries = journalNode.isArray()
          ? mapper.convertValue(journalNode, new TypeReference<List<JournalEntry>>() {}) : List.of();
      ((ObjectNode) node).remove("journal");
      WorkflowRecord r = mapper.treeToValue(node, WorkflowRecord.class);
      r.journal = journals.journal(r.id);
      r.journal.restoreBounds(r.checkpointCount - entries.size(), r.checkpointCount);
      for (int k = 0; k < entries.size(); k++) {
        // Journals of older nodes recorded neither the time nor the owner of an entry.
        long position = (long) r.journal.first() + k;
        byte[] bytes = CheckpointCodec.encode(entries.get(k), 0, 0);
        batch.add(r.id, position, bytes);
        if (entries.size() - k <= Journal.HOT_TAIL) {
          r.journal.restoreTail(new StoredEntry(position, entries.get(k), 0, 0));
        }
      }
      records.add(r);
    }
    JsonNode registrations = root.get("registrations");
    return new Restored(root.path("endSeq").asLong(),
        registrations == null || registrations.isNull() ? null : mapper.convertValue(registrations, REGISTRATIONS),
        records);
  }

  /** Restored entries on their way to the store, written {@value #BATCH_ENTRIES} at a time. */
  private final class Batch {
    private final List<CheckpointStore.Put> puts = new ArrayList<>(BATCH_ENTRIES);
    private long lastTicket;

    void add(String workflowId, long position, byte[] bytes) {
      puts.add(new CheckpointStore.Put(workflowId, position, bytes));
      if (puts.size() >= BATCH_ENTRIES) {
        flush();
      }
    }

    void flush() {
      if (!puts.isEmpty()) {
        lastTicket = store.putAll(clusterId, List.copyOf(puts));
        puts.clear();
      }
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("negative length " + n + " in workflow snapshot");
    }
    return in.readNBytes(n);
  }
}
