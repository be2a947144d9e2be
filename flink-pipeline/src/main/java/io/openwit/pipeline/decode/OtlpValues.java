package io.openwit.pipeline.decode;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.HexFormat;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/** How OTLP scalar fields become row values, the same for every signal. */
final class OtlpValues {
  static final String UNKNOWN_SERVICE = "unknown_service";
  private static final HexFormat HEX = HexFormat.of();

  private OtlpValues() {}

  /** Lowercase hex; an empty id (absent) becomes null. */
  static StringData hexOrNull(ByteString id) {
    return id.isEmpty() ? null : StringData.fromString(HEX.formatHex(id.toByteArray()));
  }

  static StringData hex(ByteString id) {
    return StringData.fromString(HEX.formatHex(id.toByteArray()));
  }

  static StringData nullIfEmpty(String value) {
    return value.isEmpty() ? null : StringData.fromString(value);
  }

  static TimestampData timestamp(long unixNanos) {
    return TimestampData.fromEpochMillis(
        Math.floorDiv(unixNanos, 1_000_000L), (int) Math.floorMod(unixNanos, 1_000_000L));
  }

  /** Columns every signal's rows take from their resource and scope. */
  record Origin(StringData serviceName, MapData resourceAttributes, StringData scopeName, StringData scopeVersion) {
    static Origin of(Resource resource, InstrumentationScope scope) {
      String serviceName = AttributeValues.find(resource.getAttributesList(), "service.name");
      return new Origin(
          StringData.fromString(serviceName == null ? UNKNOWN_SERVICE : serviceName),
          AttributeValues.toMap(resource.getAttributesList()),
          nullIfEmpty(scope.getName()),
          nullIfEmpty(scope.getVersion()));
    }
  }
}
