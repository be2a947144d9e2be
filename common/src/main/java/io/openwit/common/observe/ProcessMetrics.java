package io.openwit.common.observe;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The one metrics registry of an OpenWit process, served as Prometheus text on {@code /metrics}
 * by each of its HTTP servers. In single-node mode every component shares it, so any port shows all.
 */
public final class ProcessMetrics {
  private static final PrometheusMeterRegistry REGISTRY = create();

  private ProcessMetrics() {}

  public static PrometheusMeterRegistry registry() {
    return REGISTRY;
  }

  /** The registry in the Prometheus text exposition format 0.0.4. */
  public static String scrape() {
    return REGISTRY.scrape();
  }

  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static PrometheusMeterRegistry create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    return registry;
  }
}
