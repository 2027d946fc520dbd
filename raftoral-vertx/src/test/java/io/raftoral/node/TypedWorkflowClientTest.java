package io.raftoral.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.core.type.TypeReference;
import io.raftoral.management.ExecutionCluster;
import io.raftoral.testkit.LocalRaftoralCluster;
import io.raftoral.workflow.CheckpointRecord;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowClient;
import io.raftoral.workflow.WorkflowFailedException;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRun;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowTerminatedException;
import io.raftoral.workflow.WorkflowWaitTimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The typed client of a node ({@code node.workflows()}): Java objects in, the named result type out, from any node
 * (calls are routed to the execution cluster like the JSON client's), failures as the documented exceptions.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class TypedWorkflowClientTest {

  private static final long WAIT = 30_000;
  private static final Duration RESULT_WAIT = Duration.ofSeconds(10);
  private static final int NODES = 3;

  record Greeting(String name, int times) {}

  static WorkflowRegistry registry() {
    return WorkflowRegistry.create()
        .register("greetings", 1, new TypeReference<Greeting>() {}, new TypeReference<List<String>>() {},
            (g, ctx) -> ctx.checkpoint("greeting", "Hello, " + g.name())
                .map(line -> Collections.nCopies(g.times(), line)))
        .register("fails", 1, String.class, String.class,
            (in, ctx) -> Uni.createFrom().failure(new IllegalStateException("no " + in)))
        .register("forever", 1, String.class, String.class, (in, ctx) -> Uni.createFrom().nothing());
  }

  private static <T> Future<T> fut(Uni<T> uni) {
    return Future.fromCompletionStage(uni.subscribeAsCompletionStage());
  }

  /** The failure of {@code uni}; a failed future if it emits an item instead. */
  private static Future<Throwable> failureOf(Uni<?> uni) {
    return fut(uni).transform(ar -> ar.failed() ? Future.succeededFuture(ar.cause())
        : Future.failedFuture(new AssertionError("expected a failure, got " + ar.result())));
  }

  /** Bootstraps a node, joins the others, and waits until they form one execution cluster. */
  private static Future<Void> threeNodes(LocalRaftoralCluster c) {
    Future<Void> f = c.bootstrap().mapEmpty();
    for (int i = 1; i < NODES; i++) {
      f = f.compose(v -> c.join().mapEmpty());
    }
    return f.compose(v -> c.await(() -> c.nodes().values().stream().allMatch(n -> n.view().clusters().values()
        .stream().map(ExecutionCluster::reportedVoters).anyMatch(voters -> voters.size() == NODES)),
        WAIT, "one execution cluster of every node"));
  }

  private static WorkflowClient client(LocalRaftoralCluster c, String address) {
    return c.node(address).workflows();
  }

  @Test
  void aTypedRunStartedOnOneNodeIsReadOnAnotherAsItsResultType(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, TypedWorkflowClientTest::registry);
    String[] id = new String[1];
    threeNodes(c)
        .compose(v -> fut(client(c, "node-c").start("greetings", 1, new Greeting("Ada", 2),
            new TypeReference<List<String>>() {}, new StartOptions().setWorkflowId("greet-ada"))))
        .compose(run -> {
          id[0] = run.workflowId();
          ctx.verify(() -> assertThat(run.workflowId()).isEqualTo("greet-ada"));
          return fut(run.result(RESULT_WAIT));
        })
        .compose(lines -> {
          ctx.verify(() -> assertThat(lines).containsExactly("Hello, Ada", "Hello, Ada"));
          WorkflowRun<List<String>> elsewhere = client(c, "node-a").run(id[0], new TypeReference<List<String>>() {});
          return fut(elsewhere.result());
        })
        .compose(lines -> {
          ctx.verify(() -> assertThat(lines).containsExactly("Hello, Ada", "Hello, Ada"));
          return fut(client(c, "node-b").status(id[0]));
        })
        .compose(status -> {
          ctx.verify(() -> {
            assertThat(status.state()).isEqualTo(WorkflowState.COMPLETED);
            assertThat(status.checkpointCount()).isEqualTo(1);
          });
          return fut(client(c, "node-c").history(id[0], 10, null));
        })
        .compose(history -> {
          ctx.verify(() -> {
            assertThat(history.workflowId()).isEqualTo("greet-ada");
            assertThat(history.checkpoints()).extracting(CheckpointRecord::key, CheckpointRecord::valueJson)
                .containsExactly(tuple("greeting", "\"Hello, Ada\""));
            assertThat(history.nextPageToken()).isNull();
          });
          return failureOf(client(c, "node-a").history(id[0], 0, null));
        })
        .compose(badSize -> {
          ctx.verify(() -> assertThat(badSize).isInstanceOf(IllegalArgumentException.class));
          return fut(client(c, "node-a").list(WorkflowFilter.all()));
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(all).extracting(s -> s.workflowId()).containsExactly("greet-ada");
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void failuresTimeoutsAndTerminationComeBackAsTheDocumentedExceptions(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, TypedWorkflowClientTest::registry);
    String[] forever = new String[1];
    threeNodes(c)
        .compose(v -> failureOf(client(c, "node-a").start("fails", 1, "luck", String.class)
            .flatMap(run -> run.result(RESULT_WAIT))))
        .compose(failed -> {
          ctx.verify(() -> assertThat(failed).isInstanceOf(WorkflowFailedException.class)
              .hasMessageContaining("no luck"));
          return fut(client(c, "node-b").start("forever", 1, "x", String.class));
        })
        .compose(run -> {
          forever[0] = run.workflowId();
          return failureOf(client(c, "node-c").result(forever[0], String.class, Duration.ofMillis(300)));
        })
        .compose(timedOut -> {
          ctx.verify(() -> assertThat(timedOut).isInstanceOf(WorkflowWaitTimeoutException.class));
          return fut(client(c, "node-a").terminate(forever[0], "enough"));
        })
        .compose(status -> {
          ctx.verify(() -> assertThat(status.state()).isEqualTo(WorkflowState.TERMINATED));
          return fut(client(c, "node-b").result(forever[0], String.class));
        })
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(WorkflowTerminatedException.class).hasMessageContaining("enough");
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }
}
