package io.raftoral.http.api;

import static io.raftoral.http.api.HttpAnswers.send;

import io.raftoral.events.EventFilter;
import io.raftoral.events.EventSink;
import io.raftoral.events.EventSubscription;
import io.raftoral.events.NodeEvent;
import io.raftoral.events.NodeEvents;
import io.raftoral.workflow.ClientError;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;

/**
 * {@code GET /events}: the node's event stream as Server-Sent Events. Each event is one SSE message whose
 * {@code id} is the event's number and whose {@code data} is the event's JSON ({@link NodeEvent#toJson()}):
 *
 * <pre>
 * curl -N 'http://127.0.0.1:7001/events?kind=workflow_started,workflow_completed&amp;cluster=1&amp;workflow_type=ping_pong'
 * id: 12
 * data: {"seq":12,"kind":"workflow_started","time":"...","node_id":1,"cluster_id":1,"fields":{...}}
 * </pre>
 *
 * <p>Query parameters (each may repeat or hold a comma-separated list): {@code kind}, {@code cluster},
 * {@code workflow_type}; {@code history=N} first sends the last N kept events that pass the filter. A reconnecting
 * {@code EventSource} sends {@code Last-Event-ID} and gets the kept events after it. A bad filter is answered 400
 * (a JSON error, as everywhere in the API). A client that stops reading gets an {@code events_skipped} marker in
 * place of what its bounded buffer could not hold; a comment line every {@link #KEEPALIVE_MILLIS} keeps proxies
 * from closing an idle stream and lets the server notice a client that went away.
 *
 * <p>Threading: runs on the HTTP server's event loop; the stream is written there, never blocking.
 */
public final class HttpEventRoutes {

  /** How often an idle stream gets a comment line. */
  public static final long KEEPALIVE_MILLIS = 15_000;
  /** The most kept events a client may ask for with {@code history}. */
  public static final int MAX_HISTORY = NodeEvents.DEFAULT_HISTORY_SIZE;

  private static final String LAST_EVENT_ID = "Last-Event-ID";

  private final NodeEvents events;

  public HttpEventRoutes(NodeEvents events) {
    this.events = Objects.requireNonNull(events, "events");
  }

  /** Adds {@code GET /events} to {@code router}. */
  public Router mount(Router router) {
    router.get("/events").handler(rc -> {
      try {
        stream(rc);
      } catch (RuntimeException e) {
        send(rc, ClientError.of(e));
      }
    });
    return router;
  }

  private void stream(RoutingContext rc) {
    EventFilter filter;
    try {
      filter = EventFilter.parse(rc.queryParam("kind"), rc.queryParam("cluster"), rc.queryParam("workflow_type"));
    } catch (IllegalArgumentException e) {
      throw HttpRequestParams.invalid(e.getMessage());
    }
    int history = (int) number("history", HttpRequestParams.query(rc, "history"), MAX_HISTORY);
    long after = number(LAST_EVENT_ID, rc.request().getHeader(LAST_EVENT_ID), Long.MAX_VALUE);

    HttpServerResponse response = rc.response();
    response.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache").putHeader("x-accel-buffering", "no");
    // the headers and a first comment go out at once, so that a client knows the stream is open
    response.write(": raftoral events of node " + events.nodeId() + "\n\n");
    Context context = Vertx.currentContext();
    EventSubscription subscription = events.subscribe(filter, history, after,
        EventSink.of(response, e -> Buffer.buffer(message(e))), context);
    Vertx vertx = context.owner();
    long keepalive = vertx.setPeriodic(KEEPALIVE_MILLIS, id -> {
      if (!response.writeQueueFull()) {
        response.write(": keepalive\n\n");
      }
    });
    response.closeHandler(v -> {
      vertx.cancelTimer(keepalive);
      subscription.close();
    });
    response.exceptionHandler(e -> {
      vertx.cancelTimer(keepalive);
      subscription.close();
    });
  }

  /** One SSE message: the event's number as id, its JSON (one line) as data. */
  static String message(NodeEvent e) {
    return (e.seq() > 0 ? "id: " + e.seq() + "\n" : "") + "data: " + e.toJson().encode() + "\n\n";
  }

  private static long number(String name, String text, long max) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    try {
      long n = Long.parseLong(text.trim());
      if (n >= 0 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw HttpRequestParams.invalid(name + " must be a number between 0 and " + max + ", was '" + text + "'");
  }
}
