package io.raftoral.client;

import io.raftoral.workflow.JsonWorkflowClient;

/**
 * What the network {@link JsonWorkflowClient}s share, whatever their protocol: the nodes they call with failover
 * ({@link NodeFailover}) and the time one call may take, both from their {@link NetworkClientOptions}. A protocol's
 * client adds how one call is sent.
 */
public abstract class NetworkWorkflowClient implements JsonWorkflowClient, AutoCloseable {

  /** Default time for one call (a wait gets its own timeout plus this). */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = NetworkClientOptions.DEFAULT_REQUEST_TIMEOUT_MILLIS;

  private final NodeFailover nodes;
  private final long requestTimeoutMillis;

  /** Checks the addresses of {@code options} (at least one, each {@code host:port}). */
  protected NetworkWorkflowClient(NetworkClientOptions options) {
    this.nodes = new NodeFailover(options.getAddresses());
    this.requestTimeoutMillis = options.getRequestTimeoutMillis();
  }

  /** The nodes, the one that answered last first. */
  protected final NodeFailover nodes() {
    return nodes;
  }

  /** Time for one call. */
  protected final long requestTimeoutMillis() {
    return requestTimeoutMillis;
  }

  /** Closes the protocol's underlying client. */
  @Override
  public abstract void close();
}
