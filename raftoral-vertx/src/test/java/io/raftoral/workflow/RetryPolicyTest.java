package io.raftoral.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RetryPolicy} as a data object: defaults, JSON round trip, copies, argument checks and the backoff formula. */
class RetryPolicyTest {

  @Test
  void theDefaultsMeanNoRetries() {
    RetryPolicy p = new RetryPolicy();
    assertThat(p.getMaxAttempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS).isEqualTo(1);
    assertThat(p.getInitialBackoff()).isEqualTo(RetryPolicy.DEFAULT_INITIAL_BACKOFF);
    assertThat(p.getMaxBackoff()).isEqualTo(RetryPolicy.DEFAULT_MAX_BACKOFF);
    assertThat(p.getBackoffMultiplier()).isEqualTo(RetryPolicy.DEFAULT_BACKOFF_MULTIPLIER);
    assertThat(p.getNonRetryableExceptions()).isEmpty();
    assertThat(p.retries(new IllegalStateException("x"), 1)).isFalse();
    assertThat(new RetryPolicy(new JsonObject())).isEqualTo(p);
  }

  @Test
  void everyFieldSurvivesAJsonRoundTripAndACopy() {
    RetryPolicy p = new RetryPolicy().setMaxAttempts(7).setInitialBackoff(Duration.ofMillis(250))
        .setMaxBackoff(Duration.ofSeconds(30)).setBackoffMultiplier(1.5)
        .addNonRetryableException(IllegalArgumentException.class).addNonRetryableException("com.example.Declined");
    JsonObject json = p.toJson();
    assertThat(json).isEqualTo(new JsonObject().put("maxAttempts", 7).put("initialBackoffMillis", 250L)
        .put("maxBackoffMillis", 30_000L).put("backoffMultiplier", 1.5)
        .put("nonRetryableExceptions", new JsonArray().add(IllegalArgumentException.class.getName())
            .add("com.example.Declined")));
    RetryPolicy back = new RetryPolicy(new JsonObject(json.encode()));
    assertThat(back).isEqualTo(p).hasSameHashCodeAs(p);
    assertThat(back.toJson()).isEqualTo(json);

    RetryPolicy copy = new RetryPolicy(p);
    assertThat(copy).isEqualTo(p);
    copy.setMaxAttempts(2).addNonRetryableException("other.Type");
    assertThat(p.getMaxAttempts()).as("the copy is independent").isEqualTo(7);
    assertThat(p.getNonRetryableExceptions()).doesNotContain("other.Type");
  }

  @Test
  void badArgumentsAreRefusedWithTheirName() {
    RetryPolicy p = new RetryPolicy();
    assertThatThrownBy(() -> p.setMaxAttempts(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be >= 1, was 0");
    assertThatThrownBy(() -> p.setInitialBackoff(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("initialBackoff must not be negative");
    assertThatThrownBy(() -> p.setMaxBackoff(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("maxBackoff");
    assertThatThrownBy(() -> p.setMaxBackoff(Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxBackoff must fit");
    assertThatThrownBy(() -> p.setBackoffMultiplier(0.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoffMultiplier must be a finite number >= 1, was 0.5");
    assertThatThrownBy(() -> p.setBackoffMultiplier(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("backoffMultiplier");
    assertThatThrownBy(() -> p.addNonRetryableException(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an exception class name must not be blank");
    assertThatThrownBy(() -> p.setNonRetryableExceptions(List.of("a.B", ""))).isInstanceOf(
        IllegalArgumentException.class);
    assertThat(p.getNonRetryableExceptions()).as("a refused list changes nothing").isEmpty();
    assertThatThrownBy(() -> new RetryPolicy(new JsonObject().put("maxAttempts", -3)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be >= 1, was -3");
    assertThatThrownBy(() -> new RetryPolicy(new JsonObject().put("nonRetryableExceptions", new JsonArray().add(5))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("class names");
    assertThatThrownBy(() -> p.getNonRetryableExceptions().add("x.Y")).isInstanceOf(
        UnsupportedOperationException.class);
  }

  @Test
  void theBackoffGrowsByTheMultiplierUpToTheMaximum() {
    RetryPolicy p = new RetryPolicy().setInitialBackoff(Duration.ofMillis(100)).setBackoffMultiplier(3)
        .setMaxBackoff(Duration.ofSeconds(2));
    assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(300));
    assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(900));
    assertThat(p.backoff(4)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.backoff(10_000)).as("no overflow").isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> p.backoff(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNonRetryableNameCoversSubclassesAndTheLastAttemptIsNeverRetried() {
    RetryPolicy p = new RetryPolicy().setMaxAttempts(3).addNonRetryableException(IllegalArgumentException.class);
    assertThat(p.isRetryable(new NumberFormatException("x"))).isFalse();
    assertThat(p.isRetryable(new IllegalStateException("x"))).isTrue();
    assertThat(p.retries(new IllegalStateException("x"), 2)).isTrue();
    assertThat(p.retries(new IllegalStateException("x"), 3)).isFalse();
  }
}
