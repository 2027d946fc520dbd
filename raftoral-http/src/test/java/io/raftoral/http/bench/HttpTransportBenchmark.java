package io.raftoral.http.bench;

import io.raftoral.bench.NetworkTransportBenchmark;
import io.raftoral.http.transport.HttpTransport;
import io.raftoral.http.transport.HttpTransportOptions;
import io.raftoral.testkit.NetworkRaftCluster;

/**
 * {@link NetworkTransportBenchmark} over {@link HttpTransport}: 3 nodes on loopback, sequential p50/p99 and
 * throughput with 64 in flight.
 *
 * <p>Run: {@code mvn -B -q install -DskipTests && mvn -B -q -pl raftoral-http exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.raftoral.http.bench.HttpTransportBenchmark} ({@code -Dbench.sequential=2000
 * -Dbench.total=50000 -Dbench.inflight=64}).
 */
public final class HttpTransportBenchmark {

  public static void main(String[] args) throws Exception {
    NetworkTransportBenchmark.run("HTTP transport", (vertx, id, peers, port) -> {
      HttpTransport t = new HttpTransport(vertx, id, peers,
          new HttpTransportOptions().setHost("127.0.0.1").setPort(port)
              .setPipelining(Boolean.parseBoolean(System.getProperty("bench.pipelining", "true"))));
      return t.listen().map(x -> new NetworkRaftCluster.Bound(t, t.actualPort()));
    }, t -> ((HttpTransport) t).metrics(), Integer.getInteger("bench.sequential", 2_000),
        Integer.getInteger("bench.total", 50_000), Integer.getInteger("bench.inflight", 64));
  }
}
