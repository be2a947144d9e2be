package io.openwit.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** Parameters that once overflowed into a 500 are refused as bad requests naming the parameter. */
class QueryParametersTest {

  @Test
  void datesFarFromNowAreRefusedNamingTheParameter() {
    assertThatThrownBy(() -> QueryApiServer.instant("+1000000-01-01T00:00:00Z", "start"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'start'").hasMessageContaining("100 years");
    assertThatThrownBy(() -> QueryApiServer.instant("9223372036854775807", "end"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'end'");
    assertThatThrownBy(() -> QueryApiServer.instant("99999999999999999999", "end"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch milliseconds");
    Instant lastYear = Instant.now().minus(365, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    assertThat(QueryApiServer.instant(lastYear.toString(), "start")).isEqualTo(lastYear);
    assertThat(QueryApiServer.instant(null, "start")).isNull();
  }

  @Test
  void intervalsThatOverflowAreRefused() {
    assertThat(SearchApi.durationMs("5m")).isEqualTo(300_000);
    assertThatThrownBy(() -> SearchApi.durationMs("999999999999d"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'interval'");
    assertThatThrownBy(() -> SearchApi.durationMs("0s")).hasMessageContaining("positive");
  }
}
