package io.raftoral.demo;

import io.raftoral.lmdb.LmdbBackups;
import io.raftoral.storage.NodeIdentity;
import io.raftoral.storage.StorageException;
import io.raftoral.transport.HostPort;
import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

/**
 * {@code raftoral admin topology|transfer-leadership|snapshot|remove-node|drain|drain-status|undrain|backup|restore}:
 * the operator commands, through a node's REST API under {@code /admin} (the node must run with
 * {@code --admin-enabled}; with TLS, give a client certificate). {@code restore} works offline on a storage
 * directory. Prints JSON on stdout; exits 0 on success, 1 when the call fails, 2 on bad flags.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = "Operator commands: topology, leadership, snapshots, node removal, drain, backup and restore.",
    subcommands = {AdminCommand.Topology.class, AdminCommand.TransferLeadership.class, AdminCommand.Snapshot.class,
        AdminCommand.RemoveNode.class, AdminCommand.Drain.class, AdminCommand.DrainStatus.class,
        AdminCommand.Undrain.class, AdminCommand.Backup.class, AdminCommand.Restore.class})
final class AdminCommand {

  /** Long enough for a drain or removal the node waits for (its own wait is capped by wait_seconds). */
  private static final long REQUEST_TIMEOUT_MILLIS = 15 * 60 * 1000L;
  private static final int HTTP_OK_MIN = 200;
  private static final int HTTP_OK_MAX = 299;

  @Option(names = {"-a", "--address"}, defaultValue = "127.0.0.1:7001", paramLabel = "HOST:PORT",
      scope = ScopeType.INHERIT, description = "the node to call (default: ${DEFAULT-VALUE})")
  String address;

  @Option(names = "--tls-ca", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "call the node over TLS, trusting this CA")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "client certificate (admin calls over TLS need one)")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", scope = ScopeType.INHERIT, description = "client private key")
  Path tlsKey;

  /** Calls {@code method path} on {@code node} with {@code body}; prints the answer; the exit code says how it went. */
  int call(String node, HttpMethod method, String path, JsonObject body) {
    Vertx vertx = Vertx.vertx();
    WebClient web = WebClient.create(vertx, clientOptions());
    try {
      HttpResponse<Buffer> r = send(web, node, method, path, body);
      System.out.println(r.bodyAsJsonObject().encodePrettily());
      return r.statusCode() >= HTTP_OK_MIN && r.statusCode() <= HTTP_OK_MAX ? 0 : 1;
    } catch (Exception e) {
      System.out.println(failure(e).encodePrettily());
      return 1;
    } finally {
      web.close();
      vertx.close();
    }
  }

  /**
   * Transfers a group's leadership: asks the node given for the topology, then the group's leader (a transfer must
   * be asked of the leader), at the address the directory gives.
   */
  int transfer(long group, long to) {
    Vertx vertx = Vertx.vertx();
    WebClient web = WebClient.create(vertx, clientOptions());
    try {
      JsonObject topology = send(web, address, HttpMethod.GET, "/admin/topology", null).bodyAsJsonObject();
      String target = leaderAddress(topology, group);
      HttpResponse<Buffer> r = send(web, target, HttpMethod.POST, "/admin/groups/" + group + "/transfer-leadership",
          new JsonObject().put("to", to));
      System.out.println(r.bodyAsJsonObject().encodePrettily());
      return r.statusCode() >= HTTP_OK_MIN && r.statusCode() <= HTTP_OK_MAX ? 0 : 1;
    } catch (Exception e) {
      System.out.println(failure(e).encodePrettily());
      return 1;
    } finally {
      web.close();
      vertx.close();
    }
  }

  /** The address of group {@code group}'s leader as the topology tells, or this command's address. */
  private String leaderAddress(JsonObject topology, long group) {
    if (topology.getJsonArray("groups") == null) {
      return address; // an error answer: let the node asked answer the transfer too
    }
    Long leader = topology.getJsonArray("groups").stream().map(JsonObject.class::cast)
        .filter(g -> g.getLong("group_id") == group).map(g -> g.getLong("leader")).findFirst().orElse(null);
    if (leader == null) {
      return address;
    }
    return topology.getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .filter(n -> n.getLong("id").equals(leader)).map(n -> n.getString("address")).findFirst().orElse(address);
  }

  private static HttpResponse<Buffer> send(WebClient web, String node, HttpMethod method, String path,
      JsonObject body) throws Exception {
    HostPort at = HostPort.parse(node);
    HttpRequest<Buffer> request = web.request(method, at.port(), at.host(), path).timeout(REQUEST_TIMEOUT_MILLIS);
    Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendJsonObject(body);
    return NodeCommand.await(sent);
  }

  private WebClientOptions clientOptions() {
    WebClientOptions options = new WebClientOptions();
    if (tlsCa != null) {
      TransportTlsOptions tls = new TransportTlsOptions().setEnabled(true).addTrustedCaPath(tlsCa.toString());
      if (tlsCert != null && tlsKey != null) {
        tls.setMutual(true).setCertPath(tlsCert.toString()).setKeyPath(tlsKey.toString());
      } else {
        // validate() wants a certificate and key, which only mutual TLS presents
        tls.setCertPath(tlsCa.toString()).setKeyPath(tlsCa.toString());
      }
      tls.applyTo(options);
    }
    return options;
  }

  private static JsonObject failure(Exception e) {
    return new JsonObject().put("success", false).put("error", NodeCommand.rootMessage(e));
  }

  /** A subcommand that calls the node. */
  abstract static class Call implements Callable<Integer> {
    @ParentCommand
    AdminCommand admin;
  }

  @Command(name = "topology", mixinStandardHelpOptions = true,
      description = "Nodes, cluster 0 and every execution cluster as the node sees them.")
  static final class Topology extends Call {
    @Override
    public Integer call() {
      return admin.call(admin.address, HttpMethod.GET, "/admin/topology", null);
    }
  }

  @Command(name = "transfer-leadership", mixinStandardHelpOptions = true,
      description = "Hands a group's leadership to one of its voters (asks the group's leader).")
  static final class TransferLeadership extends Call {
    @Option(names = "--group", required = true, description = "the group: 0 for cluster 0, else the cluster id")
    long group;

    @Option(names = "--to", required = true, description = "the node to lead it")
    long to;

    @Override
    public Integer call() {
      return admin.transfer(group, to);
    }
  }

  @Command(name = "snapshot", mixinStandardHelpOptions = true,
      description = "Takes a snapshot of the node's member of a group now.")
  static final class Snapshot extends Call {
    @Option(names = "--group", required = true, description = "the group: 0 for cluster 0, else the cluster id")
    long group;

    @Override
    public Integer call() {
      return admin.call(admin.address, HttpMethod.POST, "/admin/groups/" + group + "/snapshot", new JsonObject());
    }
  }

  @Command(name = "remove-node", mixinStandardHelpOptions = true,
      description = "Removes a failed node from every group and from the directory.")
  static final class RemoveNode extends Call {
    @Option(names = "--node", required = true, description = "the node to remove")
    long node;

    @Option(names = "--force", description = "remove it even though it is alive")
    boolean force;

    @Option(names = "--wait-seconds", defaultValue = "30", description = "how long to wait (default ${DEFAULT-VALUE})")
    long waitSeconds;

    @Override
    public Integer call() {
      return admin.call(admin.address, HttpMethod.POST, "/admin/nodes/" + node + "/remove",
          new JsonObject().put("force", force).put("wait_seconds", waitSeconds));
    }
  }

  @Command(name = "drain", mixinStandardHelpOptions = true,
      description = "Moves a node's memberships and leaderships away before maintenance; says when it is done.")
  static final class Drain extends Call {
    @Option(names = "--node", required = true, description = "the node to drain")
    long node;

    @Option(names = "--wait-seconds", defaultValue = "30", description = "how long to wait (default ${DEFAULT-VALUE})")
    long waitSeconds;

    @Override
    public Integer call() {
      return admin.call(admin.address, HttpMethod.POST, "/admin/nodes/" + node + "/drain",
          new JsonObject().put("wait_seconds", waitSeconds));
    }
  }

  @Command(name = "drain-status", mixinStandardHelpOptions = true, description = "Where a node's drain stands.")
  static final class DrainStatus extends Call {
    @Option(names = "--node", required = true, description = "the drained node")
    long node;

    @Override
    public Integer call() {
      return admin.call(admin.address, HttpMethod.GET, "/admin/nodes/" + node + "/drain", null);
    }
  }

  @Command(name = "undrain", mixinStandardHelpOptions = true,
      description = "Ends a node's drain: it is placed in groups again.")
  static final class Undrain extends Call {
    @Option(names = "--node", required = true, description = "the drained node")
    long node;

    @Override
    public Integer call() {
      return admin.call(admin.address, HttpMethod.POST, "/admin/nodes/" + node + "/undrain", new JsonObject());
    }
  }

  @Command(name = "backup", mixinStandardHelpOptions = true,
      description = "Writes a consistent copy of the node's LMDB storage into a directory on the node's machine.")
  static final class Backup extends Call {
    @Option(names = "--target", required = true, paramLabel = "DIR",
        description = "an absolute directory on the node's machine, missing or empty")
    String target;

    @Override
    public Integer call() {
      return admin.call(admin.address, HttpMethod.POST, "/admin/backup", new JsonObject().put("path", target));
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Offline: copies a backup into an empty --storage-path. The restored node registers as a new "
          + "node (start it with --peers); it never comes back with the backed-up node's identity.")
  static final class Restore implements Callable<Integer> {
    @Option(names = "--backup", required = true, paramLabel = "DIR", description = "the backup directory")
    Path backup;

    @Option(names = {"-s", "--storage-path"}, required = true, paramLabel = "DIR",
        description = "the new node's storage directory (missing or empty)")
    Path storagePath;

    @Override
    public Integer call() {
      try {
        NodeIdentity was = LmdbBackups.restore(backup, storagePath);
        System.out.println(new JsonObject().put("success", true).put("storage_path", storagePath.toString())
            .put("backed_up_node", was == null ? null : was.nodeId())
            .put("cluster_name", was == null ? null : was.clusterName())
            .put("note", "start the node on this storage with --peers: it registers with a new id; remove the "
                + "old node (admin remove-node) if it is still in the directory").encodePrettily());
        return 0;
      } catch (StorageException e) {
        System.out.println(new JsonObject().put("success", false).put("error", e.getMessage()).encodePrettily());
        return 1;
      }
    }
  }
}
