package io.openwit.receiver.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.openwit.common.wire.Signal;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What the receiver counts, in the process registry: requests by outcome, items and bytes by tenant
 * and signal, request and Kafka produce latency histograms, and the bytes waiting on Kafka.
 */
final class ReceiverMetrics {
  /** Why a request ended as it did; the outcome label. */
  enum Outcome { ACCEPTED, PARTIAL, INVALID, TOO_LARGE, RATE_LIMITED, OVERLOADED, KAFKA_FAILED }

  private final MeterRegistry registry;

  ReceiverMetrics(MeterRegistry registry, LongSupplier inFlightBytes) {
    this.registry = registry;
    Gauge.builder("openwit.receiver.in.flight.bytes", inFlightBytes, LongSupplier::getAsLong)
        .description("Bytes of accepted requests not yet acknowledged by Kafka")
        .strongReference(true)
        .register(registry);
  }

  void request(String tenant, Signal signal, Outcome outcome) {
    Counter.builder("openwit.receiver.requests")
        .description("OTLP export requests by how they ended")
        .tags("tenant", tenant, "signal", signal.headerValue(), "outcome", outcome.name().toLowerCase())
        .register(registry)
        .increment();
  }

  void items(String tenant, Signal signal, long accepted, long rejected, long bytes) {
    Counter.builder("openwit.receiver.items").description("Spans, log records or metric points received")
        .tags("tenant", tenant, "signal", signal.headerValue(), "outcome", "accepted")
        .register(registry).increment(accepted);
    Counter.builder("openwit.receiver.items")
        .tags("tenant", tenant, "signal", signal.headerValue(), "outcome", "rejected")
        .register(registry).increment(rejected);
    Counter.builder("openwit.receiver.bytes").description("Request bytes accepted, as written to Kafka")
        .tags("tenant", tenant, "signal", signal.headerValue())
        .register(registry).increment(bytes);
  }

  void requestDuration(Signal signal, long nanos) {
    timer("openwit.receiver.request.duration", "From a decoded request to its answer", signal).record(
        Duration.ofNanos(nanos));
  }

  void kafkaProduceDuration(Signal signal, long nanos) {
    timer("openwit.receiver.kafka.produce.duration", "From sending a batch to Kafka's acknowledgement", signal)
        .record(Duration.ofNanos(nanos));
  }

  private Timer timer(String name, String description, Signal signal) {
    return Timer.builder(name)
        .description(description)
        .tags("signal", signal.headerValue())
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }
}
