package io.openwit.common.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Walks an encoded export request (protobuf wire format or OTLP/JSON tokens) without building it,
 * following the request's descriptors, so the {@link DecodeLimits} are checked before anything of
 * the request is allocated. It also estimates the heap the decoded request will take, which is
 * what a request costs a receiver (an empty log record is 2 bytes on the wire and about a hundred
 * on the heap).
 */
final class OtlpScanner {
  /** Heap of one decoded message: object header, fields, the slot in its parent's list. */
  static final long MESSAGE_BYTES = 96;
  /** Heap of a string or bytes field besides its characters (ByteString or String object). */
  private static final long STRING_BYTES = 48;
  /** A repeated scalar sent unpacked, or an unknown field kept in the message's UnknownFieldSet. */
  private static final long FIELD_BYTES = 32;
  /**
   * OTLP/JSON is decoded through two JSON trees (Jackson's, then protobuf's own) before the
   * message is built: every value token weighs this much in them together.
   */
  private static final long JSON_TOKEN_BYTES = 128;

  private static final Set<Descriptor> ITEMS = Set.of(
      Span.getDescriptor(), LogRecord.getDescriptor(), NumberDataPoint.getDescriptor(),
      HistogramDataPoint.getDescriptor(), ExponentialHistogramDataPoint.getDescriptor(),
      SummaryDataPoint.getDescriptor());
  private static final Descriptor KEY_VALUE = KeyValue.getDescriptor();
  private static final Descriptor ANY_VALUE = AnyValue.getDescriptor();
  private static final Set<Descriptor> NESTING = Set.of(ArrayValue.getDescriptor(), KeyValueList.getDescriptor());
  private static final Set<Integer> ANY_VALUE_TEXT_FIELDS =
      Set.of(AnyValue.STRING_VALUE_FIELD_NUMBER, AnyValue.BYTES_VALUE_FIELD_NUMBER);
  private static final JsonFactory JSON = new JsonFactory();
  /**
   * Each message type's fields by number (Descriptor.findFieldByNumber allocates a key per call,
   * which a scan of millions of fields must not).
   */
  private static final Map<Descriptor, FieldDescriptor[]> FIELDS_BY_NUMBER = new ConcurrentHashMap<>();
  /** Each message type's fields by the names OTLP/JSON may give them (lowerCamelCase or as in the proto). */
  private static final Map<Descriptor, Map<String, FieldDescriptor>> JSON_FIELDS = new ConcurrentHashMap<>();

  private final DecodeLimits limits;
  private long items;
  private long decodedBytes;

  private OtlpScanner(DecodeLimits limits) {
    this.limits = limits;
  }

  static OtlpCodec.Scan protobuf(byte[] payload, Descriptor request, DecodeLimits limits) throws InvalidOtlpException {
    OtlpScanner scanner = new OtlpScanner(limits);
    try {
      CodedInputStream in = CodedInputStream.newInstance(payload);
      scanner.decodedBytes += MESSAGE_BYTES;
      scanner.message(in, request, 0, false);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidOtlpException("body is not a valid protobuf " + request.getName() + ": " + e.getMessage());
    } catch (IOException e) {
      throw new InvalidOtlpException("body cannot be read as protobuf: " + e.getMessage());
    }
    return new OtlpCodec.Scan(scanner.items, scanner.decodedBytes);
  }

  static OtlpCodec.Scan json(byte[] utf8Json, Descriptor request, DecodeLimits limits) throws InvalidOtlpException {
    OtlpScanner scanner = new OtlpScanner(limits);
    try (JsonParser parser = JSON.createParser(utf8Json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidOtlpException("body is not a JSON object: expected an OTLP/JSON " + request.getName());
      }
      scanner.decodedBytes += MESSAGE_BYTES;
      scanner.jsonMessage(parser, request, 0, false);
    } catch (JsonProcessingException e) {
      throw new InvalidOtlpException("body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidOtlpException("body cannot be read as JSON: " + e.getMessage());
    }
    return new OtlpCodec.Scan(scanner.items, scanner.decodedBytes);
  }

  /** The fields of one message, up to the end of {@code in} (the caller pushed the message's limit). */
  private void message(CodedInputStream in, Descriptor type, int depth, boolean inAttribute)
      throws IOException, OtlpLimitException {
    int attributes = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      FieldDescriptor field = field(type, WireFormat.getTagFieldNumber(tag));
      boolean lengthDelimited = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
      if (field != null && lengthDelimited && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        Descriptor child = field.getMessageType();
        attributes = enter(type, field, child, attributes, depth);
        int length = in.readRawVarint32();
        int outer = in.pushLimit(length);
        message(in, child, NESTING.contains(child) ? depth + 1 : depth, inAttribute || child == KEY_VALUE);
        in.checkLastTagWas(0);
        in.popLimit(outer);
      } else if (lengthDelimited) {
        int length = in.readRawVarint32();
        if (field == null) {
          decodedBytes += FIELD_BYTES + length;
        } else if (field.isRepeated()) {
          // packed scalars: a varint of one byte becomes an 8-byte long or a 4-byte int
          decodedBytes += FIELD_BYTES + (long) length * 8;
        } else {
          text(type, field, inAttribute, length);
        }
        in.skipRawBytes(length);
      } else {
        if (field == null || field.isRepeated()) {
          decodedBytes += FIELD_BYTES;
        }
        in.skipField(tag);
      }
    }
  }

  private void jsonMessage(JsonParser parser, Descriptor type, int depth, boolean inAttribute)
      throws IOException, OtlpLimitException {
    int attributes = 0;
    Map<String, FieldDescriptor> fields = JSON_FIELDS.computeIfAbsent(type, OtlpScanner::jsonFields);
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      FieldDescriptor field = fields.get(parser.currentName());
      JsonToken value = parser.nextToken();
      decodedBytes += JSON_TOKEN_BYTES;
      if (field == null || value == JsonToken.VALUE_NULL) {
        decodedBytes += jsonSkippedBytes(parser);
      } else if (field.isRepeated() && value == JsonToken.START_ARRAY) {
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          decodedBytes += JSON_TOKEN_BYTES;
          attributes = jsonValue(parser, type, field, attributes, depth, inAttribute);
        }
      } else {
        attributes = jsonValue(parser, type, field, attributes, depth, inAttribute);
      }
    }
  }

  /** One value of {@code field}; answers the attributes counted so far in the enclosing message. */
  private int jsonValue(JsonParser parser, Descriptor type, FieldDescriptor field, int attributes, int depth,
      boolean inAttribute)
      throws IOException, OtlpLimitException {
    JsonToken value = parser.currentToken();
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && value == JsonToken.START_OBJECT) {
      Descriptor child = field.getMessageType();
      int counted = enter(type, field, child, attributes, depth);
      jsonMessage(parser, child, NESTING.contains(child) ? depth + 1 : depth, inAttribute || child == KEY_VALUE);
      return counted;
    }
    if (value == JsonToken.VALUE_STRING) {
      int length = parser.getTextLength();
      // bytes travel as base64 in OTLP/JSON: four characters for three bytes
      text(type, field, inAttribute, field.getType() == FieldDescriptor.Type.BYTES ? length / 4 * 3 : length);
    } else {
      // a value of the wrong shape: the decoder refuses it; here it only has to be passed over
      decodedBytes += jsonSkippedBytes(parser);
    }
    return attributes;
  }

  /** Counts a message about to be read inside {@code parent}, checking the limits it may cross. */
  private int enter(Descriptor parent, FieldDescriptor field, Descriptor child, int attributes, int depth)
      throws OtlpLimitException {
    decodedBytes += MESSAGE_BYTES;
    if (ITEMS.contains(child) && ++items > limits.maxItems()) {
      throw new OtlpLimitException("request holds more than " + limits.maxItems() + " " + itemName(child)
          + " (limits.max_items_per_request)", true);
    }
    if (child == KEY_VALUE && field.isRepeated() && parent != KeyValueList.getDescriptor()
        && ++attributes > limits.maxAttributes()) {
      throw new OtlpLimitException("a " + parent.getName() + " has more than " + limits.maxAttributes()
          + " attributes (limits.max_attributes)", false);
    }
    if (NESTING.contains(child) && depth + 1 > limits.maxNestingDepth()) {
      throw new OtlpLimitException("an attribute or body value nests arrays and key-value lists more than "
          + limits.maxNestingDepth() + " deep (limits.max_nesting_depth)", false);
    }
    return attributes;
  }

  private void text(Descriptor type, FieldDescriptor field, boolean inAttribute, int length)
      throws OtlpLimitException {
    if (inAttribute && type == ANY_VALUE && ANY_VALUE_TEXT_FIELDS.contains(field.getNumber())
        && length > limits.maxAttributeValueBytes()) {
      throw new OtlpLimitException("an attribute value of " + length + " bytes is longer than "
          + limits.maxAttributeValueBytes() + " bytes (limits.max_attribute_value_bytes)", false);
    }
    // the bytes as received, and the String a string field is turned into when it is read
    decodedBytes += STRING_BYTES + 2L * length;
  }

  /** Skips the current value, unknown or malformed, and answers what the JSON trees will hold of it. */
  private static long jsonSkippedBytes(JsonParser parser) throws IOException {
    long start = parser.currentLocation().getByteOffset();
    parser.skipChildren();
    long end = parser.currentLocation().getByteOffset();
    return JSON_TOKEN_BYTES + Math.max(0, end - start) * 4;
  }

  private static String itemName(Descriptor item) {
    if (item == Span.getDescriptor()) {
      return "spans";
    }
    return item == LogRecord.getDescriptor() ? "log records" : "metric data points";
  }

  private static FieldDescriptor field(Descriptor type, int number) {
    FieldDescriptor[] fields = FIELDS_BY_NUMBER.computeIfAbsent(type, OtlpScanner::fieldsByNumber);
    return number >= 0 && number < fields.length ? fields[number] : null;
  }

  private static FieldDescriptor[] fieldsByNumber(Descriptor type) {
    int highest = type.getFields().stream().mapToInt(FieldDescriptor::getNumber).max().orElse(0);
    FieldDescriptor[] fields = new FieldDescriptor[highest + 1];
    for (FieldDescriptor field : type.getFields()) {
      fields[field.getNumber()] = field;
    }
    return fields;
  }

  private static Map<String, FieldDescriptor> jsonFields(Descriptor type) {
    Map<String, FieldDescriptor> fields = new HashMap<>();
    for (FieldDescriptor field : type.getFields()) {
      fields.put(field.getName(), field);
      fields.put(field.getJsonName(), field);
    }
    return fields;
  }
}
