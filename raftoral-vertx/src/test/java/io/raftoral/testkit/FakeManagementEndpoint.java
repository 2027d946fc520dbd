package io.raftoral.testkit;

import io.raftoral.management.ManagementEndpoint;
import io.raftoral.management.ManagementView;
import io.raftoral.management.NodeRecord;
import io.raftoral.management.NodeState;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A management endpoint with a fixed directory, for the answers of non-leaders and leaders. */
public final class FakeManagementEndpoint implements ManagementEndpoint {

  public final long nodeId;
  public final long leaderId;
  public final TreeMap<Long, NodeRecord> directory = new TreeMap<>();
  public final List<Long> heartbeats = new CopyOnWriteArrayList<>();
  public final List<String> registrations = new CopyOnWriteArrayList<>();
  private volatile String notReady;

  public FakeManagementEndpoint(long nodeId, long leaderId) {
    this.nodeId = nodeId;
    this.leaderId = leaderId;
  }

  public FakeManagementEndpoint node(long id, String address) {
    directory.put(id, new NodeRecord(id, address, NodeState.ALIVE, 0));
    return this;
  }

  @Override
  public long nodeId() {
    return nodeId;
  }

  @Override
  public boolean isManagementLeader() {
    return nodeId == leaderId;
  }

  @Override
  public long managementLeaderId() {
    return leaderId;
  }

  @Override
  public Set<Long> managementVoters() {
    return directory.keySet();
  }

  @Override
  public ManagementView view() {
    return new ManagementView(directory, null, null, null, directory.isEmpty() ? 1 : directory.lastKey() + 1, 1, 0,
        0);
  }

  @Override
  public Future<Long> handleRegister(String nodeAddress, String requestId) {
    registrations.add(nodeAddress + "/" + requestId);
    return Future.succeededFuture(42L);
  }

  /** Records {@code address/requestId#nodeId}; answers {@code requestedNodeId} (42 for a new node). */
  @Override
  public Future<Long> handleRegister(String nodeAddress, String requestId, long requestedNodeId) {
    if (requestedNodeId == 0) {
      return handleRegister(nodeAddress, requestId);
    }
    registrations.add(nodeAddress + "/" + requestId + "#" + requestedNodeId);
    return Future.succeededFuture(requestedNodeId);
  }

  /** Makes the node answer not ready for {@code reason} (null: ready once registered). */
  public FakeManagementEndpoint notReady(String reason) {
    this.notReady = reason;
    return this;
  }

  @Override
  public String notReadyReason() {
    return notReady != null ? notReady : ManagementEndpoint.super.notReadyReason();
  }

  @Override
  public Future<Void> handleHeartbeat(long fromNode) {
    if (!isManagementLeader()) {
      return Future.failedFuture(new IllegalStateException("not leader"));
    }
    heartbeats.add(fromNode);
    return Future.succeededFuture();
  }
}
