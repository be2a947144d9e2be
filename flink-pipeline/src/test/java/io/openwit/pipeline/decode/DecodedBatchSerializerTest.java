package io.openwit.pipeline.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.openwit.common.metastore.BatchEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

class DecodedBatchSerializerTest {
  private static DecodedBatch batch() {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(Span.newBuilder().setName("a").setStartTimeUnixNano(1).setEndTimeUnixNano(2))
            .addSpans(Span.newBuilder().setName("b").setStartTimeUnixNano(3).setEndTimeUnixNano(5))))
        .build();
    List<RowData> rows = new ArrayList<>();
    SpanRows.decode(request, rows::add);
    return new DecodedBatch("acme", "traces", "b1", BatchEvent.SOURCE_RECEIVER, rows);
  }

  @Test
  void chainedOperatorsShareABatchInsteadOfCopyingIt() {
    DecodedBatch batch = batch();
    assertThat(new DecodedBatchSerializer().copy(batch)).isSameAs(batch);
  }

  @Test
  void aBatchCrossesTheNetworkWithItsRows() throws Exception {
    DecodedBatchSerializer serializer = new DecodedBatchSerializer();
    DataOutputSerializer out = new DataOutputSerializer(1024);
    serializer.serialize(batch(), out);

    DecodedBatch read = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(read.tenant()).isEqualTo("acme");
    assertThat(read.trackingId()).isEqualTo("b1");
    assertThat(read.source()).isEqualTo(BatchEvent.SOURCE_RECEIVER);
    assertThat(read.rows()).extracting(row -> row.getString(4).toString()).containsExactly("a", "b");
    assertThat(read.rows()).extracting(row -> row.getLong(10)).containsExactly(1L, 2L);
  }
}
