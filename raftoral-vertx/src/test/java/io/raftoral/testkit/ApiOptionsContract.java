package io.raftoral.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.api.ApiOptions;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/** What every protocol's {@link ApiOptions} must do: a JSON round trip that keeps every setting, and validation. */
public final class ApiOptionsContract {

  private ApiOptionsContract() {
  }

  /**
   * {@code configured} survives {@code toJson} and back; an empty JSON object reads as the defaults; {@code invalid}
   * (a setter given a value out of range) throws {@link IllegalArgumentException}.
   */
  public static <O extends ApiOptions<O>> void roundTripsThroughJson(O configured, Supplier<O> defaults,
      Function<JsonObject, O> fromJson, Consumer<O> invalid) {
    assertThat(fromJson.apply(configured.toJson()).toJson()).isEqualTo(configured.toJson());
    assertThat(fromJson.apply(new JsonObject()).toJson()).isEqualTo(defaults.get().toJson());
    assertThatThrownBy(() -> invalid.accept(defaults.get())).isInstanceOf(IllegalArgumentException.class);
  }
}
