package io.openwit.common.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.openwit.common.wire.Signal;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The OTLP export request and response of each signal, in both OTLP encodings: binary protobuf
 * and OTLP/JSON (protobuf JSON mapping, except that trace and span ids are hex strings).
 */
public enum OtlpCodec {
  TRACES(Signal.TRACES, ExportTraceServiceRequest.getDefaultInstance(), ExportTraceServiceResponse.getDefaultInstance()),
  LOGS(Signal.LOGS, ExportLogsServiceRequest.getDefaultInstance(), ExportLogsServiceResponse.getDefaultInstance()),
  METRICS(Signal.METRICS, ExportMetricsServiceRequest.getDefaultInstance(), ExportMetricsServiceResponse.getDefaultInstance());

  /** Field names (JSON and proto spellings) whose values OTLP/JSON writes as hex instead of base64. */
  private static final Set<String> HEX_ID_FIELDS =
      Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer JSON_PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

  private final Signal signal;
  private final Message requestPrototype;
  private final Message emptyResponse;

  OtlpCodec(Signal signal, Message requestPrototype, Message emptyResponse) {
    this.signal = signal;
    this.requestPrototype = requestPrototype;
    this.emptyResponse = emptyResponse;
  }

  public static OtlpCodec of(Signal signal) {
    return switch (signal) {
      case TRACES -> TRACES;
      case LOGS -> LOGS;
      case METRICS -> METRICS;
    };
  }

  public Signal signal() {
    return signal;
  }

  private String requestName() {
    return requestPrototype.getDescriptorForType().getName();
  }

  public Message emptyResponse() {
    return emptyResponse;
  }

  /**
   * What a scan found in an encoded request: its spans, log records or metric points, and an
   * estimate of the heap it takes once decoded.
   */
  public record Scan(long items, long decodedBytes) {}

  /**
   * Checks a protobuf request against {@code limits} without decoding it, so a request over them
   * costs no more than reading its bytes once; throws {@link OtlpLimitException} naming the limit.
   */
  public Scan scanProtobuf(byte[] payload, DecodeLimits limits) throws InvalidOtlpException {
    return OtlpScanner.protobuf(payload, requestPrototype.getDescriptorForType(), limits);
  }

  /** As {@link #scanProtobuf}, for an OTLP/JSON request, reading it as a stream of tokens. */
  public Scan scanJson(byte[] utf8Json, DecodeLimits limits) throws InvalidOtlpException {
    return OtlpScanner.json(utf8Json, requestPrototype.getDescriptorForType(), limits);
  }

  /** A request with its invalid items removed, and how many were removed and why. */
  public record Checked(Message accepted, long rejected, boolean nothingKept, String reason) {}

  /** Spans, log records or metric data points in an export request: what rate limits count. */
  public static long items(Message request) {
    if (request instanceof ExportTraceServiceRequest traces) {
      return traces.getResourceSpansList().stream().flatMap(r -> r.getScopeSpansList().stream())
          .mapToLong(scope -> scope.getSpansCount()).sum();
    }
    if (request instanceof ExportLogsServiceRequest logs) {
      return logs.getResourceLogsList().stream().flatMap(r -> r.getScopeLogsList().stream())
          .mapToLong(scope -> scope.getLogRecordsCount()).sum();
    }
    ExportMetricsServiceRequest metrics = (ExportMetricsServiceRequest) request;
    return metrics.getResourceMetricsList().stream().flatMap(r -> r.getScopeMetricsList().stream())
        .flatMap(scope -> scope.getMetricsList().stream()).mapToLong(OtlpValidation::points).sum();
  }

  /** Drops the items OTLP says a receiver must not accept (bad ids, nameless metrics, ...). */
  public Checked check(Message request) {
    OtlpValidation.Rejections rejections = new OtlpValidation.Rejections();
    Message accepted = switch (signal) {
      case TRACES -> OtlpValidation.traces((ExportTraceServiceRequest) request, rejections);
      case LOGS -> OtlpValidation.logs((ExportLogsServiceRequest) request, rejections);
      case METRICS -> OtlpValidation.metrics((ExportMetricsServiceRequest) request, rejections);
    };
    return new Checked(
        accepted, rejections.count(), rejections.count() > 0 && rejections.kept() == 0, rejections.message());
  }

  /** The response telling the client that {@code rejected} items were refused, and why. */
  public Message partialSuccessResponse(long rejected, String message) {
    return switch (signal) {
      case TRACES -> ExportTraceServiceResponse.newBuilder().setPartialSuccess(
          ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected).setErrorMessage(message)).build();
      case LOGS -> ExportLogsServiceResponse.newBuilder().setPartialSuccess(
          ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(rejected).setErrorMessage(message)).build();
      case METRICS -> ExportMetricsServiceResponse.newBuilder().setPartialSuccess(
          ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(rejected).setErrorMessage(message)).build();
    };
  }

  public Message parseProtobuf(byte[] payload) throws InvalidOtlpException {
    try {
      return requestPrototype.getParserForType().parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidOtlpException("body is not a valid protobuf " + requestName() + ": " + e.getMessage());
    }
  }

  public Message parseJson(byte[] utf8Json) throws InvalidOtlpException {
    JsonNode tree;
    try {
      tree = JSON.readTree(utf8Json);
    } catch (JsonProcessingException e) {
      throw new InvalidOtlpException("body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidOtlpException("body cannot be read as JSON: " + e.getMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidOtlpException("body is not a JSON object: expected an OTLP/JSON " + requestName());
    }
    hexIdsToBase64(tree);
    Message.Builder builder = requestPrototype.newBuilderForType();
    try {
      JSON_PARSER.merge(JSON.writeValueAsString(tree), builder);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new InvalidOtlpException("body is not a valid OTLP/JSON " + requestName() + ": " + e.getMessage());
    }
    return builder.build();
  }

  public static String toJson(Message message) {
    try {
      return JSON_PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getName() + " as JSON", e);
    }
  }

  /** OTLP/JSON ids are hex; the protobuf JSON mapping of bytes fields is base64. */
  private static void hexIdsToBase64(JsonNode node) throws InvalidOtlpException {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (HEX_ID_FIELDS.contains(field.getKey()) && field.getValue().isTextual()) {
          field.setValue(new TextNode(base64OfHex(field.getKey(), field.getValue().asText())));
        } else {
          hexIdsToBase64(field.getValue());
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (JsonNode element : array) {
        hexIdsToBase64(element);
      }
    }
  }

  private static String base64OfHex(String field, String hex) throws InvalidOtlpException {
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new InvalidOtlpException(field + " '" + hex + "' is not a hex string");
    }
  }
}
