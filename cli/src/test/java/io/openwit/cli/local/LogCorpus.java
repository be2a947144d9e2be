package io.openwit.cli.local;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A generated, reproducible corpus of realistic log lines: web-server access lines, application
 * messages (timeouts, refused connections, declined payments, cache misses) and audit records,
 * each with a unique {@code seq} attribute, a user, a severity and a time within the last hour.
 */
final class LogCorpus {
  static final String[] SERVICES = {"web", "checkout", "auth", "billing"};
  private static final String[] PATHS = {"/api/orders", "/api/cart", "/login", "/api/invoices", "/health"};
  private static final String[] ACTIONS = {"delete", "update", "export", "login"};

  private LogCorpus() {}

  /** One log line of the corpus. */
  record Line(long seq, String service, Severity severity, String body, String userId, Instant time) {}

  /** Line {@code seq} of the corpus seeded by {@code seed}; times fall in the hour before {@code now}. */
  static Line line(long seed, long seq, Instant now) {
    Random random = new Random(seed * 1_000_003L + seq);
    String service = SERVICES[random.nextInt(SERVICES.length)];
    String user = "u-" + random.nextInt(50);
    Instant time = now.minusMillis(random.nextInt(3_600_000));
    int kind = random.nextInt(10);
    return switch (kind) {
      case 0, 1, 2 -> new Line(seq, service, Severity.INFO, "GET " + PATHS[random.nextInt(PATHS.length)] + "/"
          + random.nextInt(10_000) + " 200 " + random.nextInt(500) + "ms client=10.0." + random.nextInt(256) + "."
          + random.nextInt(256), user, time);
      case 3 -> new Line(seq, service, Severity.ERROR, "connection refused by db-" + random.nextInt(4) + " after "
          + random.nextInt(3000) + "ms", user, time);
      case 4 -> new Line(seq, service, Severity.WARN, "request timeout while calling inventory service, attempt "
          + random.nextInt(5), user, time);
      case 5 -> new Line(seq, service, Severity.ERROR, "payment declined for order " + random.nextInt(100_000)
          + ": card expired", user, time);
      case 6 -> new Line(seq, service, Severity.DEBUG, "cache miss key=session:" + random.nextInt(1000), user, time);
      case 7 -> new Line(seq, service, Severity.WARN, "retrying connection to broker kafka-" + random.nextInt(3)
          + " (timeout " + random.nextInt(30) + "s)", user, time);
      case 8 -> new Line(seq, service, Severity.INFO, "audit user=" + user + " action="
          + ACTIONS[random.nextInt(ACTIONS.length)] + " resource=invoice/" + random.nextInt(1000) + " result="
          + (random.nextBoolean() ? "allowed" : "denied"), user, time);
      default -> new Line(seq, service, Severity.INFO, "payment accepted for order " + random.nextInt(100_000)
          + " in " + random.nextInt(900) + "ms", user, time);
    };
  }

  /**
   * Sends lines {@code first} to {@code first + count - 1} through the SDK, one logger provider (and
   * exporter from {@code exporters}) per service; returns how many lines were acknowledged.
   */
  static long send(Supplier<LogRecordExporter> exporters, long seed, long first, int count, Instant now) {
    AtomicLong acknowledged = new AtomicLong();
    for (String service : SERVICES) {
      SdkLoggerProvider provider = SdkLoggerProvider.builder()
          .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service)))
          .addLogRecordProcessor(BatchLogRecordProcessor.builder(new CountingLogExporter(exporters.get(), acknowledged))
              .setScheduleDelay(Duration.ofMillis(50)).build())
          .build();
      Logger logger = provider.get("log-corpus");
      for (long seq = first; seq < first + count; seq++) {
        Line line = line(seed, seq, now);
        if (!line.service().equals(service)) {
          continue;
        }
        logger.logRecordBuilder()
            .setTimestamp(line.time())
            .setSeverity(line.severity()).setSeverityText(line.severity().name())
            .setBody(line.body())
            .setAttribute(AttributeKey.stringKey("seq"), Long.toString(line.seq()))
            .setAttribute(AttributeKey.stringKey("user.id"), line.userId())
            .emit();
      }
      provider.forceFlush().join(1, TimeUnit.MINUTES);
      provider.shutdown().join(1, TimeUnit.MINUTES);
    }
    return acknowledged.get();
  }
}
