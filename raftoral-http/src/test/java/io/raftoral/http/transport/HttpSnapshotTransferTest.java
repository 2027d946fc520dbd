package io.raftoral.http.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.testkit.NetworkRaftCluster;
import io.raftoral.transport.contract.GeneratedSnapshotSource;
import io.raftoral.transport.contract.GeneratedSnapshotSource.Generated;
import io.raftoral.transport.contract.SnapshotTransferContractTest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpTransport}'s ranged snapshot {@code GET} against the snapshot transfer contract, and its answers to bad
 * requests (ids, ranges, methods) as HTTP statuses with a JSON error.
 */
class HttpSnapshotTransferTest extends SnapshotTransferContractTest<HttpTransportOptions> {

  private static final long SNAPSHOT_BYTES = 100_000;
  private static final long RESUME_AT = 1_000;
  private static final long REQUEST_TIMEOUT_MILLIS = 10_000;

  HttpSnapshotTransferTest() {
    super(HttpTransportOptions::new, HttpTransport::new);
  }

  /** What the node answered to one request. */
  private record Answer(int status, MultiMap headers, Buffer body) {
    String error() {
      return new JsonObject(body).getString("error");
    }
  }

  private Answer get(Context ctx, HttpClient client, HttpMethod method, String uri, String range) throws Exception {
    RequestOptions request = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(server.actualPort())
        .setURI(uri).setTimeout(REQUEST_TIMEOUT_MILLIS);
    if (range != null) {
      request.putHeader("Range", range);
    }
    return await(NetworkRaftCluster.on(ctx, () -> client.request(request)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.headers(), b)))));
  }

  @Test
  void badRequestsGetAClearJsonErrorAndTheNodeKeepsServing(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    Generated s = serve("known", SNAPSHOT_BYTES);
    String path = HttpSnapshotFetch.path(s.clusterId(), s.id());
    HttpClient client = vertx.createHttpClient();
    try {
      for (String badRange : new String[] {"bytes=abc", "bytes=0-10", "bytes=-500", "bytes=1-,5-", "items=0-"}) {
        Answer a = get(ctx, client, HttpMethod.GET, path, badRange);
        assertThat(a.status()).as(badRange).isEqualTo(400);
        assertThat(a.error()).isEqualTo("bad_range");
      }
      Answer badCluster = get(ctx, client, HttpMethod.GET, HttpSnapshotRoute.PATH_PREFIX + "abc/known", null);
      assertThat(badCluster.status()).isEqualTo(400);
      assertThat(badCluster.error()).isEqualTo("bad_request");
      Answer badId = get(ctx, client, HttpMethod.GET, HttpSnapshotFetch.path(s.clusterId(), "a\u0001b"), null);
      assertThat(badId.status()).isEqualTo(400);
      assertThat(badId.error()).isEqualTo("bad_request");

      Answer unknown = get(ctx, client, HttpMethod.GET, HttpSnapshotFetch.path(s.clusterId(), "unknown"), null);
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.error()).isEqualTo("snapshot_not_found");
      Answer pastEnd = get(ctx, client, HttpMethod.GET, path, "bytes=" + SNAPSHOT_BYTES + "-");
      assertThat(pastEnd.status()).isEqualTo(416);
      assertThat(pastEnd.headers().get("Content-Range")).isEqualTo("bytes */" + SNAPSHOT_BYTES);
      Answer post = get(ctx, client, HttpMethod.POST, path, null);
      assertThat(post.status()).isEqualTo(405);
      assertThat(post.error()).isEqualTo("method_not_allowed");

      // What works: the whole snapshot without a range (curl), and a resumed range.
      Answer whole = get(ctx, client, HttpMethod.GET, path, null);
      assertThat(whole.status()).isEqualTo(200);
      assertThat(whole.body().getBytes()).isEqualTo(GeneratedSnapshotSource.bytes(s.seed(), 0, (int) SNAPSHOT_BYTES));
      Answer resumed = get(ctx, client, HttpMethod.GET, path, "bytes=" + RESUME_AT + "-");
      assertThat(resumed.status()).isEqualTo(206);
      assertThat(resumed.headers().get("Content-Range"))
          .isEqualTo("bytes " + RESUME_AT + "-" + (SNAPSHOT_BYTES - 1) + "/" + SNAPSHOT_BYTES);
      assertThat(resumed.body().getBytes())
          .isEqualTo(GeneratedSnapshotSource.bytes(s.seed(), RESUME_AT, (int) (SNAPSHOT_BYTES - RESUME_AT)));
    } finally {
      await(client.close());
    }
  }
}
