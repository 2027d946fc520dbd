package io.raftoral.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's embedding example runs and gives its documented result. */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class EmbeddedExampleTest {

  @Test
  void threeEmbeddedNodesRunTheGreetWorkflow(Vertx vertx, VertxTestContext ctx) {
    EmbeddedExample.run(vertx).subscribe().with(result -> ctx.verify(() -> {
      assertThat(result).isEqualTo("Hello, Ada!");
      ctx.completeNow();
    }), ctx::failNow);
  }
}
