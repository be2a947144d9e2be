package org.apache.flink.metrics.prometheus;

import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.Properties;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.util.PortRange;

/**
 * Flink's Prometheus reporter, listening on one address ({@code host}, default 127.0.0.1) instead
 * of every interface, so single-node mode's job metrics follow {@code listen_address} like every
 * other port. It sits in Flink's package because the reporter's metric registry is package-private.
 */
public final class BoundPrometheusReporterFactory implements MetricReporterFactory {
  public static final String HOST = "host";

  @Override
  public MetricReporter createMetricReporter(Properties properties) {
    MetricConfig config = (MetricConfig) properties;
    return new BoundPrometheusReporter(config.getString(HOST, "127.0.0.1"),
        new PortRange(config.getString("port", "9249")));
  }

  /** Takes the first free port of the range on the address, as Flink's own reporter does on all. */
  private static final class BoundPrometheusReporter extends AbstractPrometheusReporter {
    private final HTTPServer server;

    BoundPrometheusReporter(String host, PortRange ports) {
      IOException last = null;
      HTTPServer started = null;
      for (Iterator<Integer> candidates = ports.getPortsIterator(); candidates.hasNext() && started == null; ) {
        int port = candidates.next();
        try {
          started = new HTTPServer(new InetSocketAddress(host, port), registry);
          log.info("Prometheus reporter listening on {}:{}", host, port);
        } catch (IOException taken) {
          last = taken;
        }
      }
      if (started == null) {
        throw new UncheckedIOException("no free port for the Prometheus reporter on " + host + " in " + ports, last);
      }
      this.server = started;
    }

    @Override
    public void close() {
      server.stop();
      super.close();
    }
  }
}
