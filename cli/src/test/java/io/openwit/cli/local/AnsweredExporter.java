package io.openwit.cli.local;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.function.BiConsumer;

/**
 * The SDK's exporter, unchanged, telling {@code onAnswer} for each export whether the receiver
 * acknowledged it, and which spans it carried.
 */
record AnsweredExporter(SpanExporter delegate, BiConsumer<Boolean, Collection<SpanData>> onAnswer)
    implements SpanExporter {
  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    CompletableResultCode result = delegate.export(spans);
    result.whenComplete(() -> onAnswer.accept(result.isSuccess(), spans));
    return result;
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
