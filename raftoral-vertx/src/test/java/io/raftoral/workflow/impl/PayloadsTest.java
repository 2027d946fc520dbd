package io.raftoral.workflow.impl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JavaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scalar fast paths of {@link Payloads} give exactly what Jackson gives, and leave to it every text they do not
 * read unambiguously. Seeded random values and texts ({@code -Draftoral.payloads.seed=N} to try others).
 */
class PayloadsTest {

  private static final long SEED = Long.getLong("raftoral.payloads.seed", 20261204L);
  private static final int CASES = 4_000;
  private static final List<Class<?>> SCALARS = List.of(Integer.class, Long.class, Boolean.class, String.class);

  @Test
  void scalarsAreWrittenAsJacksonWritesThem() throws Exception {
    Random random = new Random(SEED);
    for (int i = 0; i < CASES; i++) {
      for (Object value : List.of(random.nextInt(), (int) (random.nextGaussian() * 1000), random.nextLong(),
          random.nextBoolean(), randomString(random))) {
        String expected = Payloads.mapper().writeValueAsString(value);
        assertThat(Payloads.encode(value)).as("seed %d, value %s", SEED, value).isEqualTo(expected);
      }
    }
  }

  @Test
  void scalarTextsAreReadAsJacksonReadsThemOrLeftToIt() {
    Random random = new Random(SEED);
    List<String> texts = new ArrayList<>(List.of("0", "-0", "00", "01", "-01", "+1", "1.0", "1e3", " 1", "1 ", "-",
        "", "null", "true", "false", "True", "\"\"", "\"a\"", "\"a\\\"b\"", "\"\\u0041\"", "\"", "\"a", "2147483647",
        "2147483648", "-2147483648", "-2147483649", "999999999", "1000000000", "9223372036854775807",
        "9223372036854775808", "123456789012345678", "1234567890123456789", "\"tab\there\"", "\"é/€\""));
    for (int i = 0; i < CASES; i++) {
      texts.add(Long.toString(random.nextLong() >> random.nextInt(64)));
      texts.add(Payloads.mapper().valueToTree(randomString(random)).toString());
      texts.add('"' + randomString(random) + '"');
    }
    for (Class<?> type : SCALARS) {
      JavaType javaType = Payloads.type(type);
      for (String text : texts) {
        Object fast = Payloads.decodeScalar(text, type);
        Object jackson;
        try {
          jackson = Payloads.mapper().readValue(text, javaType);
        } catch (Exception e) {
          jackson = e;
        }
        if (jackson instanceof Exception) {
          assertThat(fast).as("seed %d: %s as %s fails in Jackson, so it is left to it", SEED, text, type.getSimpleName())
              .isNotInstanceOf(type).isNotNull();
        } else if (fast instanceof Integer || fast instanceof Long || fast instanceof Boolean || fast instanceof String
            || fast == null) {
          assertThat(fast).as("seed %d: %s as %s", SEED, text, type.getSimpleName()).isEqualTo(jackson);
        }
      }
    }
  }

  @Test
  void otherTypesAreLeftToTheMapper() {
    assertThat(Payloads.decodeScalar("1", Double.class)).isNotNull().isNotInstanceOf(Number.class);
    assertThat(Payloads.decodeScalar("1", int.class)).isNotNull().isNotInstanceOf(Number.class);
    assertThat(Payloads.encodeScalar(1.5)).isNull();
    assertThat(Payloads.encodeScalar("a\"b")).isNull();
    assertThat(Payloads.<Integer>decode("41", Payloads.type(Integer.class))).isEqualTo(41);
  }

  /** Up to 12 characters from ASCII, control characters, quotes, backslashes, accents and surrogate pairs. */
  private static String randomString(Random random) {
    int n = random.nextInt(12);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(6)) {
        case 0 -> b.append((char) random.nextInt(0x20));
        case 1 -> b.append(random.nextBoolean() ? '"' : '\\');
        case 2 -> b.append((char) (0xa0 + random.nextInt(0x2000)));
        case 3 -> b.appendCodePoint(0x1f600 + random.nextInt(50));
        default -> b.append((char) (0x20 + random.nextInt(0x5f)));
      }
    }
    return b.toString();
  }
}
