package io.openwit.query.trino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrinoServerTest {
  @Test
  void readsTheUptimeTrinoReportsInEachUnit() {
    assertThat(TrinoServer.uptime("9.52s")).isEqualTo(Duration.ofMillis(9_520));
    assertThat(TrinoServer.uptime("1.50m")).isEqualTo(Duration.ofSeconds(90));
    assertThat(TrinoServer.uptime("2.00h")).isEqualTo(Duration.ofHours(2));
    assertThat(TrinoServer.uptime("1.00d")).isEqualTo(Duration.ofDays(1));
    assertThat(TrinoServer.uptime("250.00ms")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void anUptimeThatIsNoDurationIsAnErrorQuotingIt() {
    assertThatThrownBy(() -> TrinoServer.uptime("soon"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'soon'");
  }
}
