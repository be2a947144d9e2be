package io.openwit.receiver.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.openwit.common.wire.Signal;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What the receiver counts, in the process registry: requests by outcome, items and bytes by tenant
 * and signal, request and Kafka produce latency histograms, and the bytes waiting on Kafka. Meters
 * are looked up once per tenant and signal, not built again for every request.
 */
final class ReceiverMetrics {
  /** Why a request ended as it did; the outcome label. */
  enum Outcome { ACCEPTED, PARTIAL, INVALID, TOO_LARGE, RATE_LIMITED, OVERLOADED, KAFKA_FAILED }

  /** The counters of one tenant and signal. */
  private record TenantMeters(Map<Outcome, Counter> requests, Counter accepted, Counter rejected, Counter bytes) {}

  private final MeterRegistry registry;
  private final Map<String, TenantMeters> byTenantAndSignal = new ConcurrentHashMap<>();
  private final Map<Signal, Timer> requestDurations = new EnumMap<>(Signal.class);
  private final Map<Signal, Timer> kafkaProduceDurations = new EnumMap<>(Signal.class);

  ReceiverMetrics(MeterRegistry registry, LongSupplier inFlightBytes) {
    this.registry = registry;
    Gauge.builder("openwit.receiver.in.flight.bytes", inFlightBytes, LongSupplier::getAsLong)
        .description("Bytes of accepted requests not yet acknowledged by Kafka")
        .strongReference(true)
        .register(registry);
    for (Signal signal : Signal.values()) {
      requestDurations.put(signal,
          timer("openwit.receiver.request.duration", "From a decoded request to its answer", signal));
      kafkaProduceDurations.put(signal,
          timer("openwit.receiver.kafka.produce.duration", "From sending a batch to Kafka's acknowledgement", signal));
    }
  }

  void request(String tenant, Signal signal, Outcome outcome) {
    meters(tenant, signal).requests().get(outcome).increment();
  }

  void items(String tenant, Signal signal, long accepted, long rejected, long bytes) {
    TenantMeters meters = meters(tenant, signal);
    meters.accepted().increment(accepted);
    meters.rejected().increment(rejected);
    meters.bytes().increment(bytes);
  }

  void requestDuration(Signal signal, long nanos) {
    requestDurations.get(signal).record(Duration.ofNanos(nanos));
  }

  void kafkaProduceDuration(Signal signal, long nanos) {
    kafkaProduceDurations.get(signal).record(Duration.ofNanos(nanos));
  }

  private TenantMeters meters(String tenant, Signal signal) {
    return byTenantAndSignal.computeIfAbsent(tenant + '\0' + signal.headerValue(), key -> {
      Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
      for (Outcome outcome : Outcome.values()) {
        requests.put(outcome, Counter.builder("openwit.receiver.requests")
            .description("OTLP export requests by how they ended")
            .tags("tenant", tenant, "signal", signal.headerValue(), "outcome", outcome.name().toLowerCase(Locale.ROOT))
            .register(registry));
      }
      return new TenantMeters(requests,
          items(tenant, signal, "accepted"),
          items(tenant, signal, "rejected"),
          Counter.builder("openwit.receiver.bytes").description("Request bytes accepted, as written to Kafka")
              .tags("tenant", tenant, "signal", signal.headerValue())
              .register(registry));
    });
  }

  private Counter items(String tenant, Signal signal, String outcome) {
    return Counter.builder("openwit.receiver.items").description("Spans, log records or metric points received")
        .tags("tenant", tenant, "signal", signal.headerValue(), "outcome", outcome)
        .register(registry);
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
