package io.raftoral.demo.chaos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The side-effect counter outside the cluster: {@code POST /effect {"key": ..., "incarnation": ...}} counts one run of
 * the step named by the idempotency key in that node process, and answers {@code {"count": n}} (runs of the key so
 * far). A step recorded once in the journal may run once per owner that tried it, never twice in one owner.
 */
final class EffectCounter implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "effect-counter");
    t.setDaemon(true);
    return t;
  });
  /** key -> incarnation -> runs. */
  private final Map<String, Map<String, AtomicLong>> runs = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();

  EffectCounter() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/effect", this::count);
    server.setExecutor(threads);
    server.start();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  long total() {
    return total.get();
  }

  /** Runs of {@code key} summed over incarnations (0 if it never ran). */
  long runs(String key) {
    Map<String, AtomicLong> perOwner = runs.get(key);
    return perOwner == null ? 0 : perOwner.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Keys that ran more than once in one node process: "key in incarnation: n runs". */
  List<String> repeatedInOneOwner() {
    List<String> repeated = new ArrayList<>();
    runs.forEach((key, perOwner) -> perOwner.forEach((incarnation, n) -> {
      if (n.get() > 1) {
        repeated.add(key + " in " + incarnation + ": " + n.get() + " runs");
      }
    }));
    return repeated;
  }

  private void count(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonObject body;
      try {
        body = new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      } catch (DecodeException e) {
        answer(exchange, 400, new JsonObject().put("error", e.getMessage()));
        return;
      }
      String key = body.getString("key");
      String incarnation = body.getString("incarnation", "?");
      if (key == null) {
        answer(exchange, 400, new JsonObject().put("error", "key missing"));
        return;
      }
      runs.computeIfAbsent(key, k -> new ConcurrentHashMap<>())
          .computeIfAbsent(incarnation, i -> new AtomicLong()).incrementAndGet();
      total.incrementAndGet();
      answer(exchange, 200, new JsonObject().put("count", runs(key)));
    }
  }

  private static void answer(HttpExchange exchange, int status, JsonObject body) throws IOException {
    byte[] bytes = body.encode().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("content-type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
