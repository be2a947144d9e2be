package io.openwit.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Percentiles of measured durations, for the benchmarks' reports. */
final class Latencies {
  private Latencies() {}

  /** The nearest-rank {@code percentile} of {@code nanos}, in milliseconds. */
  static double percentileMs(List<Long> nanos, int percentile) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int index = Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1);
    return sorted.get(Math.max(0, index)) / 1e6;
  }
}
