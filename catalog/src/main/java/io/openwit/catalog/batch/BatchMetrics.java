package io.openwit.catalog.batch;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.openwit.common.metastore.BatchStore;
import io.openwit.common.metastore.MetastoreException;
import io.openwit.common.observe.DaemonThreads;
import io.openwit.common.observe.ProcessMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batch counts per tenant and stage as gauges ({@code openwit_batches{tenant,stage}}), refreshed
 * from the tracker on a timer so a scrape never queries the metastore.
 */
public final class BatchMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BatchMetrics.class);
  private static final long REFRESH_MS = 10_000;

  private final BatchStore batches;
  private final MultiGauge gauge;
  private final ScheduledExecutorService timer;

  public BatchMetrics(BatchStore batches) {
    this.batches = batches;
    this.gauge = MultiGauge.builder("openwit.batches")
        .description("Batches in the tracker by the stages they reached; pending, failed and lost are not completed")
        .register(ProcessMetrics.registry());
    this.timer = DaemonThreads.scheduler("openwit-batch-metrics");
    timer.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MS, TimeUnit.MILLISECONDS);
  }

  private void refresh() {
    try {
      List<MultiGauge.Row<?>> rows = new ArrayList<>();
      for (Map.Entry<String, BatchStore.Counts> tenant : batches.status(System.currentTimeMillis(), 60_000).tenants()
          .entrySet()) {
        BatchStore.Counts counts = tenant.getValue();
        counts.stages().forEach((stage, count) -> rows.add(row(tenant.getKey(), stage, count)));
        rows.add(row(tenant.getKey(), "pending", counts.pending()));
        rows.add(row(tenant.getKey(), "failed", counts.failed()));
        rows.add(row(tenant.getKey(), "lost", counts.lost()));
      }
      gauge.register(rows, true);
    } catch (MetastoreException e) {
      LOG.warn("batch gauges not refreshed: {}", e.getMessage());
    }
  }

  private static MultiGauge.Row<?> row(String tenant, String stage, long count) {
    return MultiGauge.Row.of(Tags.of("tenant", tenant, "stage", stage), count);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
