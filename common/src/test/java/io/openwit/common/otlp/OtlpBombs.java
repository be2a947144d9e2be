package io.openwit.common.otlp;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.ByteArrayOutputStream;

/**
 * Hostile OTLP requests for the tests of every module that receives them: small on the wire, huge
 * once decoded. Written byte by byte, as an attacker would, since building them with the protobuf
 * classes would itself take the memory they are meant to make a receiver take.
 */
public final class OtlpBombs {
  private OtlpBombs() {}

  /**
   * An export request of {@code count} empty log records: 2 bytes each on the wire, about 90 bytes
   * each once decoded (8 million make 16 MB and about 700 MB of heap).
   */
  public static byte[] emptyLogRecords(int count) {
    ByteArrayOutputStream records = new ByteArrayOutputStream(count * 2);
    for (int i = 0; i < count; i++) {
      records.write(ScopeLogs.LOG_RECORDS_FIELD_NUMBER << 3 | 2);
      records.write(0);
    }
    byte[] scope = lengthDelimited(ResourceLogs.SCOPE_LOGS_FIELD_NUMBER, records.toByteArray());
    return lengthDelimited(ExportLogsServiceRequest.RESOURCE_LOGS_FIELD_NUMBER, scope);
  }

  private static byte[] lengthDelimited(int field, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(field << 3 | 2);
    for (int length = content.length; ; length >>>= 7) {
      if ((length & ~0x7f) == 0) {
        out.write(length);
        break;
      }
      out.write(length & 0x7f | 0x80);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
