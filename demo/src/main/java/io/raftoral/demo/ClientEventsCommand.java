package io.raftoral.demo;

import io.raftoral.transport.HostPort;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code raftoral client events}: follows a node's event stream ({@code GET /events}) and prints one JSON line per
 * event, until the node closes the stream, {@code --count} events were printed, or the process is stopped.
 */
@Command(name = "events", mixinStandardHelpOptions = true,
    description = "Follows the node's event stream; prints one JSON line per event.")
final class ClientEventsCommand implements Callable<Integer> {

  private static final String DATA = "data: ";
  private static final long CONNECT_TIMEOUT_MILLIS = 10_000;

  @ParentCommand
  ClientCommand client;

  @Option(names = "--kind", split = ",", paramLabel = "KIND",
      description = "only these kinds, e.g. leader_elected,workflow_completed (default: all)")
  List<String> kinds = new ArrayList<>();

  @Option(names = "--cluster", split = ",", paramLabel = "ID",
      description = "only events about these clusters (0: node events) (default: all)")
  List<String> clusters = new ArrayList<>();

  @Option(names = "--workflow-type", split = ",", paramLabel = "TYPE",
      description = "only workflow events of these types (default: all)")
  List<String> workflowTypes = new ArrayList<>();

  @Option(names = "--history", defaultValue = "0",
      description = "first print the node's last N kept events that pass the filter (default: ${DEFAULT-VALUE})")
  int history;

  @Option(names = "--count", defaultValue = "0", description = "stop after N events (default: follow forever)")
  long count;

  @Override
  public Integer call() throws Exception {
    if (client.transport != ClientCommand.ApiKind.http) {
      System.err.println("error: client events follows GET /events: use --transport http (gRPC clients can call "
          + "raftoral.WorkflowManagement/WatchEvents, e.g. with grpcurl)");
      return 2;
    }
    HostPort node = HostPort.parse(client.address);
    Vertx vertx = Vertx.vertx();
    HttpClientOptions options = new HttpClientOptions().setConnectTimeout((int) CONNECT_TIMEOUT_MILLIS);
    client.tlsOptions().applyTo(options);
    HttpClient http = vertx.createHttpClient(options);
    Promise<Integer> done = Promise.promise();
    AtomicLong printed = new AtomicLong();
    RecordParser lines = RecordParser.newDelimited("\n", line -> {
      String text = line.toString(StandardCharsets.UTF_8);
      if (text.startsWith(DATA)) {
        System.out.println(text.substring(DATA.length()));
        System.out.flush();
        if (count > 0 && printed.incrementAndGet() >= count) {
          done.tryComplete(0);
        }
      }
    });
    http.request(HttpMethod.GET, node.port(), node.host(), "/events?" + query())
        .compose(req -> req.send()).onSuccess(resp -> {
          if (resp.statusCode() != 200) {
            resp.body().onComplete(b -> {
              System.out.println(b.succeeded() ? b.result().toString() : new JsonObject()
                  .put("success", false).put("error", "HTTP " + resp.statusCode()).encode());
              done.tryComplete(1);
            });
            return;
          }
          resp.handler(lines);
          resp.endHandler(v -> done.tryComplete(0));
          resp.exceptionHandler(e -> done.tryComplete(1));
        }).onFailure(e -> {
          System.out.println(new JsonObject().put("success", false).put("error", NodeCommand.rootMessage(e))
              .encode());
          done.tryComplete(1);
        });
    try {
      return done.future().toCompletionStage().toCompletableFuture().get();
    } finally {
      http.close();
      vertx.close();
    }
  }

  private String query() {
    List<String> params = new ArrayList<>();
    kinds.forEach(k -> params.add("kind=" + encode(k)));
    clusters.forEach(c -> params.add("cluster=" + encode(c)));
    workflowTypes.forEach(t -> params.add("workflow_type=" + encode(t)));
    if (history > 0) {
      params.add("history=" + history);
    }
    return String.join("&", params);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
