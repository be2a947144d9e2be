package io.openwit.pipeline.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.openwit.common.schema.TableSchemas;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.Test;

class SpanRowsTest {
  private static final byte[] TRACE_ID = HexFormat.of().parseHex("5b8efff798038103d269b633813fc60c");
  private static final byte[] SPAN_ID = HexFormat.of().parseHex("eee19b7ec3c1b174");
  private static final byte[] PARENT_ID = HexFormat.of().parseHex("eee19b7ec3c1b173");
  private static final long START = 1_544_712_660_000_000_123L;

  @Test
  void flattensOneSpanIntoTheSpansSchemaOrder() throws Exception {
    List<RowData> rows = decode(request());
    assertThat(rows).hasSize(1);
    RowData row = rows.get(0);
    assertThat(row.getArity()).isEqualTo(TableSchemas.SPANS_SCHEMA.columns().size());
    assertThat(row.getString(0).toString()).isEqualTo("5b8efff798038103d269b633813fc60c");
    assertThat(row.getString(1).toString()).isEqualTo("eee19b7ec3c1b174");
    assertThat(row.getString(2).toString()).isEqualTo("eee19b7ec3c1b173");
    assertThat(row.isNullAt(3)).as("empty trace_state is null").isTrue();
    assertThat(row.getString(4).toString()).isEqualTo("GET /cart");
    assertThat(row.getString(5).toString()).isEqualTo("SERVER");
    assertThat(row.getTimestamp(6, 6).getMillisecond()).isEqualTo(START / 1_000_000);
    assertThat(row.getTimestamp(6, 6).getNanoOfMillisecond()).isEqualTo(123);
    assertThat(row.getLong(8)).isEqualTo(START);
    assertThat(row.getLong(10)).isEqualTo(1_500_000L);
    assertThat(row.getString(11).toString()).isEqualTo("ERROR");
    assertThat(row.getString(12).toString()).isEqualTo("out of stock");
    assertThat(row.getString(13).toString()).isEqualTo("cart");
    assertThat(value(row.getMap(14), "service.name")).isEqualTo("cart");
    assertThat(row.getString(15).toString()).isEqualTo("io.opentelemetry.servlet");
    MapData attributes = row.getMap(17);
    assertThat(value(attributes, "http.route")).isEqualTo("/cart");
    assertThat(value(attributes, "retries")).isEqualTo("3");
    assertThat(value(attributes, "cached")).isEqualTo("false");
    assertThat(value(attributes, "ratio")).isEqualTo("0.25");
    assertThat(value(attributes, "tags")).isEqualTo("[\"a\",1]");
    assertThat(value(attributes, "owner")).isEqualTo("{\"team\":\"checkout\"}");
    assertThat(value(attributes, "blob")).isEqualTo("\"AQI=\"");
    ArrayData events = row.getArray(18);
    assertThat(events.size()).isEqualTo(1);
    assertThat(events.getRow(0, 5).getString(2).toString()).isEqualTo("cache miss");
    assertThat(row.getArray(19).size()).isZero();
    assertThat(row.getInt(21)).isEqualTo(2);
  }

  @Test
  void theRowFitsTheSpansTable() throws Exception {
    assertThat(new RowSchemaCheck(TableSchemas.SPANS_SCHEMA).refusal(decode(request()).get(0))).isNull();
  }

  @Test
  void spansWithoutServiceNameBelongToUnknownService() throws Exception {
    ExportTraceServiceRequest request = request().toBuilder()
        .setResourceSpans(0, request().getResourceSpans(0).toBuilder().setResource(Resource.getDefaultInstance()))
        .build();
    assertThat(decode(request).get(0).getString(13).toString()).isEqualTo("unknown_service");
  }

  @Test
  void rejectsBytesThatAreNotARequest() {
    assertThatThrownBy(() -> SpanRows.decode(new byte[] {(byte) 0xff, 0x01}, row -> {}))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  private static List<RowData> decode(ExportTraceServiceRequest request) throws Exception {
    List<RowData> rows = new ArrayList<>();
    SpanRows.decode(request.toByteArray(), rows::add);
    return rows;
  }

  private static String value(MapData map, String key) {
    ArrayData keys = map.keyArray();
    for (int i = 0; i < keys.size(); i++) {
      if (keys.getString(i).equals(StringData.fromString(key))) {
        return map.valueArray().getString(i).toString();
      }
    }
    return null;
  }

  private static KeyValue attribute(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue string(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }

  private static ExportTraceServiceRequest request() {
    Span span = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(TRACE_ID))
        .setSpanId(ByteString.copyFrom(SPAN_ID))
        .setParentSpanId(ByteString.copyFrom(PARENT_ID))
        .setName("GET /cart")
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(START)
        .setEndTimeUnixNano(START + 1_500_000)
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("out of stock"))
        .addAttributes(attribute("http.route", string("/cart")))
        .addAttributes(attribute("retries", AnyValue.newBuilder().setIntValue(3).build()))
        .addAttributes(attribute("cached", AnyValue.newBuilder().setBoolValue(false).build()))
        .addAttributes(attribute("ratio", AnyValue.newBuilder().setDoubleValue(0.25).build()))
        .addAttributes(attribute("tags", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
            .addValues(string("a")).addValues(AnyValue.newBuilder().setIntValue(1))).build()))
        .addAttributes(attribute("owner", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
            .addValues(attribute("team", string("checkout")))).build()))
        .addAttributes(attribute("blob", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {1, 2})).build()))
        .addEvents(Span.Event.newBuilder().setName("cache miss").setTimeUnixNano(START + 10))
        .setDroppedAttributesCount(2)
        .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attribute("service.name", string("cart"))))
            .addScopeSpans(ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.servlet"))
                .addSpans(span)))
        .build();
  }
}
