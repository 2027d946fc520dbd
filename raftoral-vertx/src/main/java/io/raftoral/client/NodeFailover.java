package io.raftoral.client;

import io.raftoral.transport.HostPort;
import io.vertx.core.Future;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Calls one of several equivalent nodes: the node that answered last first, moving on to the next only when a node
 * cannot be connected to, so that a request is never sent twice. What the network workflow clients share, whatever
 * their protocol. Thread-safe.
 */
public final class NodeFailover {

  private final List<HostPort> nodes;
  private volatile int preferred;

  /** Over the nodes at {@code addresses} ({@code host:port}, at least one). */
  public NodeFailover(List<String> addresses) {
    this.nodes = HostPort.parseAll(addresses);
  }

  /**
   * Runs {@code attempt} on the preferred node, then on the next ones while the connection fails.
   *
   * @param attempt sends the request to one node
   * @param isAnswer whether a failure of an attempt is the node's answer (an error status), not a failure to reach it
   * @param unreachable the failure when no node answered, from a message listing each node's problem and the last
   *     cause
   */
  public <T> Future<T> call(Function<HostPort, Future<T>> attempt, Predicate<Throwable> isAnswer,
      BiFunction<String, Throwable, ? extends Throwable> unreachable) {
    return attempt(preferred, 0, attempt, isAnswer, unreachable, new ArrayList<>());
  }

  private <T> Future<T> attempt(int start, int tried, Function<HostPort, Future<T>> attempt,
      Predicate<Throwable> isAnswer, BiFunction<String, Throwable, ? extends Throwable> unreachable,
      List<String> errors) {
    int index = (start + tried) % nodes.size();
    HostPort node = nodes.get(index);
    return attempt.apply(node).transform(ar -> {
      if (ar.succeeded() || isAnswer.test(ar.cause())) {
        preferred = index;
        return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
      }
      errors.add(node + ": " + ar.cause().getMessage());
      if (isConnectFailure(ar.cause()) && tried + 1 < nodes.size()) {
        return attempt(start, tried + 1, attempt, isAnswer, unreachable, errors);
      }
      return Future.failedFuture(unreachable.apply("no node answered: " + String.join("; ", errors), ar.cause()));
    });
  }

  /** Whether {@code t} (or a cause of it) is a failure to connect, after which no request reached the node. */
  public static boolean isConnectFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }
}
