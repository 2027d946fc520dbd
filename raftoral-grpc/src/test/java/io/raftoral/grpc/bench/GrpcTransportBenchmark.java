package io.raftoral.grpc.bench;

import io.raftoral.bench.NetworkTransportBenchmark;
import io.raftoral.grpc.transport.GrpcTransport;
import io.raftoral.grpc.transport.GrpcTransportOptions;
import io.raftoral.testkit.NetworkRaftCluster;

/**
 * {@link NetworkTransportBenchmark} over {@link GrpcTransport}: 3 nodes on loopback, sequential p50/p99 and
 * throughput with 64 in flight.
 *
 * <p>Run: {@code mvn -B -q install -DskipTests && mvn -B -q -pl raftoral-grpc exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.raftoral.grpc.bench.GrpcTransportBenchmark} ({@code -Dbench.sequential=2000
 * -Dbench.total=50000 -Dbench.inflight=64}).
 */
public final class GrpcTransportBenchmark {

  public static void main(String[] args) throws Exception {
    NetworkTransportBenchmark.run("gRPC transport", (vertx, id, peers, port) -> {
      GrpcTransport t = new GrpcTransport(vertx, id, peers,
          new GrpcTransportOptions().setHost("127.0.0.1").setPort(port));
      return t.listen().map(x -> new NetworkRaftCluster.Bound(t, t.actualPort()));
    }, t -> ((GrpcTransport) t).metrics(), Integer.getInteger("bench.sequential", 2_000),
        Integer.getInteger("bench.total", 50_000), Integer.getInteger("bench.inflight", 64));
  }
}
