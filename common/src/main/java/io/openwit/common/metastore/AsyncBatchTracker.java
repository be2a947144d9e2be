package io.openwit.common.metastore;

import io.micrometer.core.instrument.Counter;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.observe.ProcessMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batch stage reports off the hot path: {@link #report} only offers to a bounded queue, and one
 * thread writes what is queued to the metastore every flush interval, in one transaction. When the
 * metastore is slow or down the queue fills and further reports are dropped and counted
 * ({@code openwit_batch_events_dropped_total}): tracking may lag or miss a stage, ingestion never waits.
 */
public final class AsyncBatchTracker implements BatchReporter, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AsyncBatchTracker.class);
  private static final int MAX_EVENTS_PER_WRITE = 5_000;
  private static final Map<String, AsyncBatchTracker> SHARED = new ConcurrentHashMap<>();

  private final Metastore metastore;
  private final BatchStore store;
  private final BlockingQueue<BatchEvent> queue;
  private final long flushIntervalMs;
  private final Thread writer;
  private final Counter reported;
  private final Counter dropped;
  private final Counter written;
  private final Counter failures;
  private volatile boolean closed;

  public AsyncBatchTracker(Metastore metastore, OpenWitConfig.BatchTracking config) {
    this.metastore = metastore;
    this.store = metastore.batches();
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    this.flushIntervalMs = config.flushIntervalMs();
    this.reported = ProcessMetrics.registry().counter("openwit_batch_events_reported");
    this.dropped = ProcessMetrics.registry().counter("openwit_batch_events_dropped");
    this.written = ProcessMetrics.registry().counter("openwit_batch_events_written");
    this.failures = ProcessMetrics.registry().counter("openwit_batch_event_write_failures");
    this.writer = new Thread(this::run, "openwit-batch-tracker");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * One tracker per metastore in a JVM, for code that has no lifecycle of its own to close it
   * (Flink operators: several subtasks and restarts share it).
   */
  public static BatchReporter shared(OpenWitConfig config) {
    if (!config.batchTracking().enabled()) {
      return BatchReporter.NONE;
    }
    return SHARED.computeIfAbsent(config.metastoreJdbcUrl(),
        url -> new AsyncBatchTracker(Metastore.of(config), config.batchTracking()));
  }

  /** Queues {@code event}; never blocks. */
  @Override
  public void report(BatchEvent event) {
    reported.increment();
    if (!queue.offer(event)) {
      dropped.increment();
    }
  }

  private void run() {
    List<BatchEvent> pending = new ArrayList<>();
    while (!closed || !queue.isEmpty() || !pending.isEmpty()) {
      try {
        BatchEvent first = queue.poll(flushIntervalMs, TimeUnit.MILLISECONDS);
        if (first != null) {
          pending.add(first);
          queue.drainTo(pending, MAX_EVENTS_PER_WRITE - pending.size());
        }
        if (!pending.isEmpty()) {
          write(pending);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Writes {@code pending}. While the metastore does not answer, the same events are tried again
   * (until newer reports fill the queue); when it answers but refuses the write, the events are
   * written one by one and only those it refuses are dropped.
   */
  private void write(List<BatchEvent> pending) throws InterruptedException {
    try {
      store.apply(pending);
      written.increment(pending.size());
      pending.clear();
      // let reports gather, so the metastore sees few large writes rather than many small ones
      if (!closed && queue.size() < MAX_EVENTS_PER_WRITE) {
        Thread.sleep(flushIntervalMs);
      }
    } catch (RuntimeException e) {
      failures.increment();
      if (metastore.isReachable()) {
        LOG.warn("the metastore refused {} batch tracking events; writing them one by one: {}", pending.size(),
            e.toString());
        writeOneByOne(pending);
        return;
      }
      LOG.warn("could not write {} batch tracking events, retrying: {}", pending.size(), e.getMessage());
      if (closed) {
        dropped.increment(pending.size());
        pending.clear();
        return;
      }
      Thread.sleep(flushIntervalMs);
      if (queue.remainingCapacity() == 0) {
        dropped.increment(pending.size());
        pending.clear();
      }
    }
  }

  private void writeOneByOne(List<BatchEvent> pending) {
    for (BatchEvent event : pending) {
      try {
        store.apply(List.of(event));
        written.increment();
      } catch (RuntimeException refused) {
        dropped.increment();
        LOG.warn("dropped batch tracking event {}: {}", event, refused.toString());
      }
    }
    pending.clear();
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
