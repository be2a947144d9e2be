package io.openwit.cli.local;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/** An SDK log exporter that counts the records the receiver acknowledged. */
final class CountingLogExporter implements LogRecordExporter {
  private final LogRecordExporter exporter;
  private final AtomicLong acknowledged;

  CountingLogExporter(LogRecordExporter exporter, AtomicLong acknowledged) {
    this.exporter = exporter;
    this.acknowledged = acknowledged;
  }

  @Override
  public CompletableResultCode export(Collection<LogRecordData> logs) {
    CompletableResultCode result = exporter.export(logs);
    result.whenComplete(() -> {
      if (result.isSuccess()) {
        acknowledged.addAndGet(logs.size());
      }
    });
    return result;
  }

  @Override
  public CompletableResultCode flush() {
    return exporter.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return exporter.shutdown();
  }
}
