package io.raftoral.node;

import io.opentelemetry.api.OpenTelemetry;
import io.raftoral.group.RaftPreset;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.management.ManagementOptions;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Settings of a {@link RaftoralNode}. Vert.x-style data object: {@code DEFAULT_*} constants, fluent setters, JSON
 * round trip.
 */
public final class NodeOptions {

  public static final long DEFAULT_NODE_ID = 0;
  public static final boolean DEFAULT_BOOTSTRAP = false;
  public static final String DEFAULT_CLUSTER_NAME = RaftHostOptions.DEFAULT_CLUSTER_NAME;
  public static final RaftPreset DEFAULT_PRESET = RaftPreset.DEVELOPMENT;
  public static final long DEFAULT_REGISTER_TIMEOUT_MILLIS = 60_000;
  /** Operator commands (the {@code /admin} API) are refused unless an operator turns them on. */
  public static final boolean DEFAULT_ADMIN_ENABLED = false;

  private long nodeId = DEFAULT_NODE_ID;
  private String advertiseAddress;
  private boolean bootstrap = DEFAULT_BOOTSTRAP;
  private String clusterName = DEFAULT_CLUSTER_NAME;
  private RaftPreset preset = DEFAULT_PRESET;
  private long registerTimeoutMillis = DEFAULT_REGISTER_TIMEOUT_MILLIS;
  private ManagementOptions management = new ManagementOptions();
  private WorkflowRuntimeOptions workflow = new WorkflowRuntimeOptions();
  private boolean adminEnabled = DEFAULT_ADMIN_ENABLED;
  private OpenTelemetry openTelemetry;

  public NodeOptions() {
  }

  public NodeOptions(NodeOptions other) {
    this(other.toJson());
    this.openTelemetry = other.openTelemetry;
  }

  public NodeOptions(JsonObject json) {
    setNodeId(json.getLong("nodeId", DEFAULT_NODE_ID));
    setAdvertiseAddress(json.getString("advertiseAddress"));
    setBootstrap(json.getBoolean("bootstrap", DEFAULT_BOOTSTRAP));
    setClusterName(json.getString("clusterName", DEFAULT_CLUSTER_NAME));
    setPreset(RaftPreset.valueOf(json.getString("preset", DEFAULT_PRESET.name())));
    setRegisterTimeoutMillis(json.getLong("registerTimeoutMillis", DEFAULT_REGISTER_TIMEOUT_MILLIS));
    setManagement(new ManagementOptions(json.getJsonObject("management", new JsonObject())));
    setWorkflow(new WorkflowRuntimeOptions(json.getJsonObject("workflow", new JsonObject())));
    setAdminEnabled(json.getBoolean("adminEnabled", DEFAULT_ADMIN_ENABLED));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("nodeId", nodeId)
        .put("bootstrap", bootstrap)
        .put("clusterName", clusterName)
        .put("preset", preset.name())
        .put("registerTimeoutMillis", registerTimeoutMillis)
        .put("management", management.toJson())
        .put("workflow", workflow.toJson())
        .put("adminEnabled", adminEnabled);
    if (advertiseAddress != null) {
      json.put("advertiseAddress", advertiseAddress);
    }
    return json;
  }

  public long getNodeId() {
    return nodeId;
  }

  /**
   * The id of a bootstrapping node (default 1). A joining node gets its id from the management cluster, and a
   * restarting one reads it from its storage; setting it there is checked against what the node gets.
   */
  public NodeOptions setNodeId(long nodeId) {
    if (nodeId < 0) {
      throw new IllegalArgumentException("nodeId must be >= 0 (0: allocated), was " + nodeId);
    }
    this.nodeId = nodeId;
    return this;
  }

  public String getAdvertiseAddress() {
    return advertiseAddress;
  }

  /** Where other nodes reach this one (host:port for the network transports; any unique name in one JVM). */
  public NodeOptions setAdvertiseAddress(String advertiseAddress) {
    this.advertiseAddress = advertiseAddress;
    return this;
  }

  public boolean isBootstrap() {
    return bootstrap;
  }

  /**
   * Whether this node founds a new cluster (its management cluster and first execution cluster). Ignored when the
   * storage holds a node (it restarts as that node). On an empty storage the node cannot know whether its cluster
   * already exists (a founder that lost its disk): founding again would start a second cluster 0 with this node's old
   * id and an empty log, so the caller must check first, e.g. by asking the cluster's other nodes (the node command
   * refuses {@code --bootstrap} when one of its {@code --peers} answers as a member).
   */
  public NodeOptions setBootstrap(boolean bootstrap) {
    this.bootstrap = bootstrap;
    return this;
  }

  public String getClusterName() {
    return clusterName;
  }

  /** The name recorded in the storage with the node id: a directory of another cluster is refused. */
  public NodeOptions setClusterName(String clusterName) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    return this;
  }

  public RaftPreset getPreset() {
    return preset;
  }

  /** Raft timing of every group of the node, and its tick interval. */
  public NodeOptions setPreset(RaftPreset preset) {
    this.preset = Objects.requireNonNull(preset, "preset");
    return this;
  }

  public long getRegisterTimeoutMillis() {
    return registerTimeoutMillis;
  }

  /** How long a joining node keeps trying to register through its peers before its start fails. */
  public NodeOptions setRegisterTimeoutMillis(long registerTimeoutMillis) {
    if (registerTimeoutMillis < 1) {
      throw new IllegalArgumentException("registerTimeoutMillis must be >= 1, was " + registerTimeoutMillis);
    }
    this.registerTimeoutMillis = registerTimeoutMillis;
    return this;
  }

  public ManagementOptions getManagement() {
    return management;
  }

  public NodeOptions setManagement(ManagementOptions management) {
    this.management = new ManagementOptions(Objects.requireNonNull(management, "management"));
    return this;
  }

  public WorkflowRuntimeOptions getWorkflow() {
    return workflow;
  }

  public NodeOptions setWorkflow(WorkflowRuntimeOptions workflow) {
    this.workflow = new WorkflowRuntimeOptions(Objects.requireNonNull(workflow, "workflow"));
    return this;
  }

  public boolean isAdminEnabled() {
    return adminEnabled;
  }

  /**
   * Whether this node serves operator commands (topology, leadership transfer, snapshots, node removal, drain,
   * backup). Off by default: they change the cluster, so an operator turns them on where they are wanted.
   */
  public NodeOptions setAdminEnabled(boolean adminEnabled) {
    this.adminEnabled = adminEnabled;
    return this;
  }

  /** The OpenTelemetry instance the node traces with (README "Traces"); null (the default): no tracing. */
  public OpenTelemetry getOpenTelemetry() {
    return openTelemetry;
  }

  /**
   * Traces the node's work through {@code openTelemetry}: routed and forwarded client requests (with the W3C trace
   * context carried to the other node) and workflow runs with their checkpoints. Not part of {@link #toJson()} (an
   * object, not a setting); null turns tracing off.
   */
  public NodeOptions setOpenTelemetry(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    return this;
  }
}
