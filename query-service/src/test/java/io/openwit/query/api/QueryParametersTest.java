package io.openwit.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
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

  @Test
  void anIntervalCuttingTheRangeIntoMoreThanTenThousandBucketsIsRefusedNamingIt() {
    long day = 86_400_000_000L;
    assertThat(SearchApi.bucketCount(0, day - 1, 3_600_000_000L)).isEqualTo(24);
    // 10,000 whole seconds make 10,000 buckets; one microsecond more makes one more
    assertThat(SearchApi.bucketCount(0, 10_000_000_000L - 1, 1_000_000)).isEqualTo(SearchApi.MAX_BUCKETS);
    assertThatThrownBy(() -> SearchApi.bucketCount(0, 10_000_000_000L, 1_000_000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'interval'")
        .hasMessageContaining("'start'").hasMessageContaining("10000 buckets");
    assertThatThrownBy(() -> SearchApi.bucketCount(-Long.MAX_VALUE / 2, Long.MAX_VALUE / 2 + 10, 1_000))
        .as("a span that overflows").isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theChosenIntervalNeverMakesTooManyBucketsWhateverTheRange() {
    long year = 366 * 86_400_000_000L;
    for (long span : new long[] {1, 60_000_000L, year, 2 * QueryApiServer.MAX_YEARS_AWAY * year, 10_000 * year}) {
      long intervalMicros = SearchApi.autoIntervalMs(-span / 2, span / 2) * 1000;
      assertThat(SearchApi.bucketCount(-span / 2, span / 2, intervalMicros)).as("span %s", span)
          .isLessThanOrEqualTo(101);
    }
  }

  @Test
  void anUnknownParameterIsRefusedNamingIt() {
    assertThatThrownBy(() -> SearchApi.refuseUnknown(Set.of("query", "limt"), Set.of("query", "limit")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'limt'").hasMessageContaining("limit, query");
    SearchApi.refuseUnknown(Set.of("query"), Set.of("query", "limit"));
  }
}
