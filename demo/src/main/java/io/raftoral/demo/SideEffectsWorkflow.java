package io.raftoral.demo;

import io.raftoral.async.Bridge;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowFunction;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code side_effects} v1, the fault harness's workflow: {@code steps} compute steps, each a real side effect, a
 * {@code POST /effect} to a counter outside the cluster carrying the step's idempotency key and this process's
 * incarnation; the result is {@code "effects:<steps>"}. The counter then tells how often each recorded step ran, and
 * in which process lifetime.
 */
final class SideEffectsWorkflow implements WorkflowFunction<SideEffectsWorkflow.Input, String> {

  static final String NAME = "side_effects";
  static final int VERSION = 1;
  static final int MAX_STEPS = 100;
  private static final int COUNTER_TIMEOUT_MILLIS = 10_000;

  /** This process's lifetime: a restarted node is another incarnation of the same node id. */
  static final String INCARNATION = ProcessHandle.current().pid() + "@" + ProcessHandle.current().info().startInstant()
      .map(Object::toString).orElse("?");

  private static final Map<Vertx, HttpClient> CLIENTS = new ConcurrentHashMap<>();

  /** @param counter the counter's HOST:PORT; @param steps how many side effects, 1..{@value #MAX_STEPS} */
  record Input(String counter, int steps) {
  }

  @Override
  public Uni<String> run(Input input, WorkflowContext ctx) {
    if (input == null || input.counter() == null || input.steps() < 1 || input.steps() > MAX_STEPS) {
      return Uni.createFrom().failure(new IllegalArgumentException(
          "side_effects expects {\"counter\": \"HOST:PORT\", \"steps\": 1.." + MAX_STEPS + "}, got " + input));
    }
    SocketAddress counter = PeerAddresses.parse(input.counter());
    return step(ctx, counter, 1, input.steps());
  }

  private Uni<String> step(WorkflowContext ctx, SocketAddress counter, int step, int steps) {
    if (step > steps) {
      return Uni.createFrom().item("effects:" + steps);
    }
    return ctx.compute("effect-" + step, Long.class, () -> record(counter, ctx.idempotencyKey()))
        .flatMap(count -> step(ctx, counter, step + 1, steps));
  }

  /** The side effect: runs on the owner, on the execution cluster's event loop; answers the counter's count. */
  private static Uni<Long> record(SocketAddress counter, String key) {
    Vertx vertx = Vertx.currentContext().owner();
    HttpClient client = CLIENTS.computeIfAbsent(vertx, v -> v.createHttpClient(new HttpClientOptions()
        .setConnectTimeout(COUNTER_TIMEOUT_MILLIS)));
    JsonObject body = new JsonObject().put("key", key).put("incarnation", INCARNATION);
    return Bridge.uni(() -> client.request(HttpMethod.POST, counter.port(), counter.host(), "/effect")
        .compose(req -> req.idleTimeout(COUNTER_TIMEOUT_MILLIS).send(body.toBuffer()))
        .compose(resp -> resp.statusCode() == 200 ? resp.body()
            : Future.failedFuture("counter answered " + resp.statusCode()))
        .map(b -> b.toJsonObject().getLong("count")));
  }
}
