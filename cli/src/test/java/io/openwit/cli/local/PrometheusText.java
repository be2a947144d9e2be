package io.openwit.cli.local;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.Summary;

/** A {@code /metrics} answer read by an independent Prometheus text-format parser (Hawkular's). */
final class PrometheusText {
  private final List<MetricFamily> families;

  private PrometheusText(List<MetricFamily> families) {
    this.families = families;
  }

  static PrometheusText scrape(String url) throws IOException, InterruptedException {
    HttpApi.Answer answer = HttpApi.get(url);
    if (answer.status() != 200) {
      throw new AssertionError("GET " + url + " answered " + answer.status());
    }
    return parse(answer.body());
  }

  /** The MiniCluster's Prometheus reporter, which takes the first free port of 9249-9259, as it reports {@code jobId}. */
  static PrometheusText flinkJob(String jobId) throws IOException, InterruptedException {
    for (int port = 9249; port <= 9259; port++) {
      HttpApi.Answer answer;
      try {
        answer = HttpApi.get("http://127.0.0.1:" + port + "/metrics");
      } catch (IOException nothingListening) {
        continue;
      }
      if (answer.status() == 200 && answer.body().contains(jobId)) {
        return parse(answer.body());
      }
    }
    throw new AssertionError("no Flink Prometheus reporter on 9249-9259 reports job " + jobId);
  }

  static PrometheusText parse(String text) throws IOException {
    TextPrometheusMetricDataParser parser =
        new TextPrometheusMetricDataParser(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    List<MetricFamily> families = new ArrayList<>();
    for (MetricFamily family = parser.parse(); family != null; family = parser.parse()) {
      families.add(family);
    }
    return new PrometheusText(families);
  }

  boolean has(String family) {
    return families.stream().anyMatch(candidate -> candidate.getName().equals(family));
  }

  /** The sample of {@code family} whose labels include {@code labels}. */
  Optional<Metric> sample(String family, Map<String, String> labels) {
    return families.stream()
        .filter(candidate -> candidate.getName().equals(family))
        .flatMap(candidate -> candidate.getMetrics().stream())
        .filter(metric -> metric.getLabels().entrySet().containsAll(labels.entrySet()))
        .findFirst();
  }

  /** A counter's or gauge's value, 0 when the sample does not exist yet; histograms and summaries give their count. */
  double value(String family, Map<String, String> labels) {
    return sample(family, labels).map(metric -> valueOf(family, metric)).orElse(0.0);
  }

  /** The values of every sample of {@code family} whose labels include {@code labels} (each operator's, each subtask's), added. */
  double sum(String family, Map<String, String> labels) {
    return families.stream()
        .filter(candidate -> candidate.getName().equals(family))
        .flatMap(candidate -> candidate.getMetrics().stream())
        .filter(metric -> metric.getLabels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(metric -> valueOf(family, metric))
        .sum();
  }

  private static double valueOf(String family, Metric metric) {
    if (metric instanceof Counter counter) {
      return counter.getValue();
    }
    if (metric instanceof Gauge gauge) {
      return gauge.getValue();
    }
    if (metric instanceof Histogram histogram) {
      return histogram.getSampleCount();
    }
    if (metric instanceof Summary summary) {
      return summary.getSampleCount();
    }
    throw new AssertionError(family + " is a " + metric.getClass().getSimpleName());
  }
}
