package io.openwit.pipeline.decode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.StringData;

/**
 * OTLP attributes → {@code map<string,string>}: strings as they are, every other kind of value
 * JSON-encoded (numbers and booleans as JSON literals, arrays and kvlists as JSON, bytes as a
 * base64 JSON string).
 */
final class AttributeValues {
  private static final JsonFactory JSON = new JsonFactory();

  private AttributeValues() {}

  static MapData toMap(List<KeyValue> attributes) {
    Map<StringData, StringData> map = new LinkedHashMap<>(attributes.size() * 2);
    for (KeyValue attribute : attributes) {
      map.put(StringData.fromString(attribute.getKey()), StringData.fromString(render(attribute.getValue())));
    }
    return new GenericMapData(map);
  }

  static String render(AnyValue value) {
    if (value.getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
      return value.getStringValue();
    }
    StringWriter out = new StringWriter();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      write(json, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void write(JsonGenerator json, AnyValue value) throws IOException {
    switch (value.getValueCase()) {
      case STRING_VALUE -> json.writeString(value.getStringValue());
      case BOOL_VALUE -> json.writeBoolean(value.getBoolValue());
      case INT_VALUE -> json.writeNumber(value.getIntValue());
      case DOUBLE_VALUE -> json.writeNumber(value.getDoubleValue());
      case BYTES_VALUE -> json.writeString(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        json.writeStartArray();
        for (AnyValue element : value.getArrayValue().getValuesList()) {
          write(json, element);
        }
        json.writeEndArray();
      }
      case KVLIST_VALUE -> {
        json.writeStartObject();
        for (KeyValue entry : value.getKvlistValue().getValuesList()) {
          json.writeFieldName(entry.getKey());
          write(json, entry.getValue());
        }
        json.writeEndObject();
      }
      case VALUE_NOT_SET -> json.writeNull();
    }
  }

  /** The string value of {@code key}, or null when absent. */
  static String find(List<KeyValue> attributes, String key) {
    for (KeyValue attribute : attributes) {
      if (attribute.getKey().equals(key)) {
        return render(attribute.getValue());
      }
    }
    return null;
  }
}
