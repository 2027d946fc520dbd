package io.raftoral.demo;

import io.raftoral.async.Bridge;
import io.raftoral.management.InJvmManagementNetwork;
import io.raftoral.node.InJvmPeerRequests;
import io.raftoral.node.NodeOptions;
import io.raftoral.node.RaftoralNode;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.transport.InJvmNetwork;
import io.raftoral.workflow.WorkflowRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Raftoral embedded in a Vert.x application: three nodes deployed as verticles in one JVM (in-JVM transport and
 * in-memory stores, so it runs anywhere), a workflow registered on each, started through one node's typed client and
 * its result awaited through another's. The README's embedding example is this code; the build compiles it and a
 * test runs it. Run: {@code java -cp demo/target/raftoral-node.jar io.raftoral.demo.EmbeddedExample}
 */
public final class EmbeddedExample {

  private static final int NODES = 3;
  private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(30);

  private EmbeddedExample() {
  }

  /** The application's workflows: the same registry content on every node. */
  static WorkflowRegistry workflows() {
    return WorkflowRegistry.create()
        .register("greet", 1, String.class, String.class, (name, ctx) ->
            ctx.compute("lookup", String.class, () -> Uni.createFrom().item("Hello"))   // a side effect: owner only
                .flatMap(greeting -> ctx.checkpoint("message", greeting + ", " + name + "!")));
  }

  /** Starts three nodes, runs "greet" and emits its result; the nodes stay up. */
  public static Uni<String> run(Vertx vertx) {
    InJvmNetwork raft = new InJvmNetwork(vertx);                      // production: GrpcTransport/HttpTransport
    InJvmManagementNetwork management = new InJvmManagementNetwork(); // production: Grpc/HttpManagementClient
    List<RaftoralNode> nodes = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      NodeOptions options = new NodeOptions().setAdvertiseAddress("node-" + i).setBootstrap(i == 0);
      nodes.add(new RaftoralNode(options, new InMemoryLogStore(vertx),  // production: LmdbLogStore
          raft::transport, management.client(), new InJvmPeerRequests(vertx), workflows()));
    }
    return Bridge.uni(() -> deploy(vertx, nodes, management))
        .flatMap(v -> nodes.get(2).workflows().start("greet", 1, "Ada", String.class))
        .flatMap(run -> nodes.get(1).workflows().result(run.workflowId(), String.class, RESULT_TIMEOUT));
  }

  /** Deploys the nodes one after the other (the first founds the cluster, the others join through it). */
  private static Future<Void> deploy(Vertx vertx, List<RaftoralNode> nodes, InJvmManagementNetwork management) {
    Future<Void> started = Future.succeededFuture();
    for (RaftoralNode node : nodes) {
      started = started.compose(v -> vertx.deployVerticle(node))
          .onSuccess(id -> management.serve(node.management())).mapEmpty();
    }
    return started;
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    try {
      System.out.println("greet(\"Ada\") = " + run(vertx).await().atMost(RESULT_TIMEOUT.multipliedBy(2)));
    } finally {
      vertx.close();
    }
  }
}
