package io.openwit.cli.local;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends spans the way an instrumented application does: the OpenTelemetry SDK with its own OTLP
 * HTTP/protobuf exporter, counting the spans whose export the receiver acknowledged.
 */
final class SdkSpans {
  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  final AtomicLong acknowledged = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  private final String endpoint;

  SdkSpans(String endpoint) {
    this.endpoint = endpoint;
  }

  /** Runs {@code body} with a tracer of {@code service}, then flushes and shuts the SDK down. */
  void asService(String service, Consumer<Tracer> body) {
    run(OtlpHttpSpanExporter.builder().setEndpoint(endpoint).setTimeout(Duration.ofSeconds(30)).build(), service, body);
  }

  /** As {@link #asService}, exporting through {@code sdkExporter} (e.g. one that sends an API key). */
  void run(SpanExporter sdkExporter, String service, Consumer<Tracer> body) {
    SpanExporter exporter = new AnsweredExporter(sdkExporter,
        (acknowledgedExport, spans) -> (acknowledgedExport ? acknowledged : rejected).addAndGet(spans.size()));
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().toBuilder().put(SERVICE_NAME, service).build())
        .addSpanProcessor(BatchSpanProcessor.builder(exporter)
            .setMaxExportBatchSize(512)
            .setMaxQueueSize(100_000)
            .setScheduleDelay(Duration.ofMillis(50))
            .build())
        .build();
    try {
      body.accept(provider.get("openwit-it"));
    } finally {
      provider.forceFlush().join(2, TimeUnit.MINUTES);
      provider.shutdown().join(1, TimeUnit.MINUTES);
    }
  }

  /** What a {@link #sendWith} run ended with. */
  record Sent(long acknowledged, long rejected) {}

  /** Sends {@code count} spans of {@code service} through {@code exporter}, e.g. the SDK's gRPC one. */
  static Sent sendWith(SpanExporter exporter, String service, int count) {
    SdkSpans sdk = new SdkSpans(null);
    sdk.run(exporter, service, tracer -> simpleSpans(tracer, count));
    return new Sent(sdk.acknowledged.get(), sdk.rejected.get());
  }

  /** {@code count} server spans with a few attributes each. */
  static void simpleSpans(Tracer tracer, int count) {
    for (int i = 0; i < count; i++) {
      Span span = tracer.spanBuilder("GET /items/" + (i % 50))
          .setSpanKind(SpanKind.SERVER)
          .setAttribute("http.request.method", "GET")
          .setAttribute("http.response.status_code", 200L)
          .setAttribute("item.index", (long) i)
          .startSpan();
      if (i % 97 == 0) {
        span.setStatus(StatusCode.ERROR, "item " + i + " not found");
      }
      span.end();
    }
  }

  /** A parent and a child with known name, attributes and times; returns the child. */
  static ChosenSpan chosenSpan(Tracer tracer) {
    long start = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) + 123_456;
    Span parent = tracer.spanBuilder("POST /checkout").setSpanKind(SpanKind.SERVER)
        .setStartTimestamp(start, TimeUnit.NANOSECONDS).startSpan();
    Span child = tracer.spanBuilder("charge card")
        .setParent(Context.root().with(parent))
        .setSpanKind(SpanKind.CLIENT)
        .setStartTimestamp(start + 1_000, TimeUnit.NANOSECONDS)
        .setAttribute("payment.provider", "acme-pay")
        .setAttribute("payment.amount_cents", 4_999L)
        .startSpan();
    child.end(start + 1_000 + 42_000_789, TimeUnit.NANOSECONDS);
    parent.end(start + 50_000_000, TimeUnit.NANOSECONDS);
    return new ChosenSpan(
        child.getSpanContext().getTraceId(), child.getSpanContext().getSpanId(),
        parent.getSpanContext().getSpanId(), "charge card", 42_000_789L);
  }

  record ChosenSpan(String traceId, String spanId, String parentSpanId, String name, long durationNanos) {}
}
