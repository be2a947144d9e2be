package io.openwit.query.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * A table row as JSON, column by column: structs as objects, lists as arrays, maps as objects,
 * times as ISO-8601 strings, 64-bit integers as numbers (nanosecond times included).
 */
final class RecordJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private RecordJson() {}

  static ObjectNode of(Record record) {
    return struct(record, record.struct().fields());
  }

  private static ObjectNode struct(Record record, List<Types.NestedField> fields) {
    ObjectNode object = NODES.objectNode();
    for (Types.NestedField field : fields) {
      object.set(field.name(), value(record.getField(field.name())));
    }
    return object;
  }

  private static JsonNode value(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof Record nested) {
      return of(nested);
    }
    if (value instanceof List<?> list) {
      ArrayNode array = NODES.arrayNode();
      list.forEach(element -> array.add(value(element)));
      return array;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = NODES.objectNode();
      map.forEach((key, element) -> object.set(String.valueOf(key), value(element)));
      return object;
    }
    if (value instanceof Long number) {
      return NODES.numberNode(number);
    }
    if (value instanceof Integer number) {
      return NODES.numberNode(number);
    }
    if (value instanceof Double number) {
      return NODES.numberNode(number);
    }
    if (value instanceof Float number) {
      return NODES.numberNode(number);
    }
    if (value instanceof Boolean bool) {
      return NODES.booleanNode(bool);
    }
    if (value instanceof ByteBuffer bytes) {
      ByteBuffer copy = bytes.duplicate();
      byte[] array = new byte[copy.remaining()];
      copy.get(array);
      return NODES.textNode(Base64.getEncoder().encodeToString(array));
    }
    // toString() of OffsetDateTime and LocalDateTime drops zero seconds ("14:06Z"), which strict
    // RFC 3339 parsers (and Instant.parse) refuse; these formatters always write them.
    if (value instanceof OffsetDateTime time) {
      return NODES.textNode(DateTimeFormatter.ISO_INSTANT.format(time.toInstant()));
    }
    if (value instanceof LocalDateTime time) {
      return NODES.textNode(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(time));
    }
    if (value instanceof TemporalAccessor time) {
      return NODES.textNode(time.toString());
    }
    return NODES.textNode(value.toString());
  }
}
