package io.raftoral.demo;

import io.raftoral.management.InJvmManagementNetwork;
import io.raftoral.node.InJvmPeerRequests;
import io.raftoral.node.NodeOptions;
import io.raftoral.node.RaftoralNode;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.transport.InJvmNetwork;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Raftoral embedded in a Vert.x application: three nodes deployed as verticles in one JVM (in-JVM transport and
 * in-memory stores, so it runs anywhere), a workflow registered on each, started through one node and awaited
 * through another. The README's embedding example is this code; the build compiles it and a test runs it.
 * Run: {@code java -cp demo/target/raftoral-node.jar io.raftoral.demo.EmbeddedExample}
 */
public final class EmbeddedExample {

  private EmbeddedExample() {
  }

  /** The application's workflows: the same registry content on every node. */
  static WorkflowRegistry workflows() {
    return WorkflowRegistry.create()
        .register("greet", 1, String.class, String.class, (name, ctx) ->
            ctx.compute("lookup", String.class, () -> Uni.createFrom().item("Hello"))   // a side effect: owner only
                .flatMap(greeting -> ctx.checkpoint("message", greeting + ", " + name + "!")));
  }

  /** Starts three nodes, runs "greet" and completes with its result; the nodes stay up. */
  public static Future<String> run(Vertx vertx) {
    InJvmNetwork raft = new InJvmNetwork(vertx);                      // production: GrpcTransport/HttpTransport
    InJvmManagementNetwork management = new InJvmManagementNetwork(); // production: Grpc/HttpManagementClient
    List<RaftoralNode> nodes = new ArrayList<>();
    Future<Void> started = Future.succeededFuture();
    for (int i = 0; i < 3; i++) {
      NodeOptions options = new NodeOptions().setAdvertiseAddress("node-" + i).setBootstrap(i == 0);
      RaftoralNode node = new RaftoralNode(options, new InMemoryLogStore(vertx),  // production: LmdbLogStore
          raft::transport, management.client(), new InJvmPeerRequests(vertx), workflows());
      nodes.add(node);
      started = started.compose(v -> vertx.deployVerticle(node))
          .onSuccess(id -> management.serve(node.management())).mapEmpty();
    }
    return started.compose(v -> Future.fromCompletionStage(nodes.get(2).workflows()
        .start("greet", 1, "\"Ada\"", new StartOptions())
        .flatMap(s -> nodes.get(1).workflows().await(s.workflowId(), s.executionClusterId(), Duration.ofSeconds(30)))
        .map(WorkflowStatus::resultJson)
        .subscribeAsCompletionStage()));
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      System.out.println("greet(\"Ada\") = " + run(vertx).toCompletionStage().toCompletableFuture().get());
    } finally {
      vertx.close();
    }
  }
}
