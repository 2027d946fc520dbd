package io.raftoral.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.http.metrics.PrometheusText.Family;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test parser accepts the text format and refuses what a Prometheus scraper refuses. */
class PrometheusTextTest {

  @Test
  void parsesCountersHistogramsAndEscapedLabels() {
    Map<String, Family> m = PrometheusText.parse("""
        # HELP a_total Some counter
        # TYPE a_total counter
        a_total{peer="2",reason="x \\"q\\" \\\\ \\n"} 3.0
        # TYPE h_seconds histogram
        h_seconds_bucket{le="0.1"} 1
        h_seconds_bucket{le="+Inf"} 2
        h_seconds_count 2
        h_seconds_sum 0.3
        # TYPE g gauge
        g NaN
        """);
    assertThat(m.get("a_total").samples().get(0).labels()).containsEntry("reason", "x \"q\" \\ \n");
    assertThat(m.get("h_seconds").samples()).hasSize(4);
    assertThat(m.get("g").samples().get(0).value()).isNaN();
  }

  @Test
  void refusesWhatAScraperRefuses() {
    assertThatThrownBy(() -> PrometheusText.parse("x 1\n")).hasMessageContaining("outside its family");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n"))
        .hasMessageContaining("series twice");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx{a=1} 1\n")).hasMessageContaining("not quoted");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx one\n")).hasMessageContaining("bad value");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE h histogram\nh_bucket 1\n"))
        .hasMessageContaining("without le");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\n# TYPE x gauge\n"))
        .hasMessageContaining("second TYPE");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE 1x gauge\n")).hasMessageContaining("bad metric name");
  }
}
