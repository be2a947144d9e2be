package io.openwit.cli.local;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady stream of spans from the OpenTelemetry SDK through its own OTLP/HTTP exporter, as an
 * instrumented service keeps sending while OpenWit crashes and restarts. It records the span id of
 * every span whose export the receiver acknowledged, and counts the spans of failed exports.
 */
final class SteadySpanLoad implements AutoCloseable {
  private static final Duration TICK = Duration.ofMillis(100);

  /** Span ids (hex, as the spans table stores them) of the spans in acknowledged exports. */
  final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  final AtomicLong failed = new AtomicLong();
  private final AtomicLong created = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final SdkTracerProvider provider;
  private final ScheduledExecutorService ticker;

  /** Starts sending {@code spansPerTick} spans of {@code service} every 100 ms to {@code tracesEndpoint}. */
  SteadySpanLoad(String tracesEndpoint, String service, int spansPerTick) {
    // no retries: a retried export whose first attempt was stored before a crash cut its answer
    // would be a duplicate the client made, not OpenWit
    SpanExporter sdkExporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(tracesEndpoint)
        .setTimeout(Duration.ofSeconds(30))
        .setRetryPolicy(null)
        .build();
    provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().toBuilder().put(SdkSpans.SERVICE_NAME, service).build())
        .addSpanProcessor(BatchSpanProcessor.builder(new AnsweredExporter(sdkExporter, this::record))
            .setMaxExportBatchSize(512)
            .setMaxQueueSize(100_000)
            .setScheduleDelay(Duration.ofMillis(100))
            .build())
        .build();
    ticker = Executors.newSingleThreadScheduledExecutor(runnable -> new Thread(runnable, "steady-span-load"));
    Tracer tracer = provider.get("openwit-crash");
    ticker.scheduleAtFixedRate(() -> {
      for (int i = 0; i < spansPerTick; i++) {
        long sequence = created.getAndIncrement();
        tracer.spanBuilder("GET /orders/" + (sequence % 50))
            .setSpanKind(SpanKind.SERVER)
            .setAttribute("load.sequence", sequence)
            .startSpan()
            .end();
      }
    }, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void record(boolean acknowledgedExport, Collection<SpanData> spans) {
    if (acknowledgedExport) {
      spans.forEach(span -> acknowledged.add(span.getSpanId()));
    } else {
      failed.addAndGet(spans.size());
    }
  }

  long created() {
    return created.get();
  }

  /**
   * Stops creating spans, then waits until every span created so far is exported or has failed.
   * Only the first call does anything: a stopped SDK never completes another flush.
   */
  @Override
  public void close() throws InterruptedException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ticker.shutdown();
    ticker.awaitTermination(1, TimeUnit.MINUTES);
    provider.forceFlush().join(2, TimeUnit.MINUTES);
    provider.shutdown().join(1, TimeUnit.MINUTES);
  }
}
