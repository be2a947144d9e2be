package io.openwit.receiver.http;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.receiver.kafka.KafkaWal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/HTTP {@code POST /v1/traces} with protobuf bodies. A request is answered 200 only after
 * Kafka acknowledged it; errors carry a google.rpc.Status whose message says what was wrong.
 */
public final class OtlpHttpService implements HttpService {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpHttpService.class);
  private static final MediaType PROTOBUF = MediaType.parse("application/x-protobuf");
  private static final int RETRY_AFTER_SECONDS = 5;

  private final KafkaWal wal;
  private final long maxRequestBytes;
  private final long kafkaAckTimeoutMs;

  public OtlpHttpService(KafkaWal wal, long maxRequestBytes, long kafkaAckTimeoutMs) {
    this.wal = wal;
    this.maxRequestBytes = maxRequestBytes;
    this.kafkaAckTimeoutMs = kafkaAckTimeoutMs;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest request) {
    ctx.setMaxRequestLength(maxRequestBytes);
    MediaType contentType = request.contentType();
    if (contentType == null || !contentType.is(PROTOBUF)) {
      request.abort();
      return error(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "unsupported Content-Type '" + (contentType == null ? "" : contentType)
              + "'; " + ctx.path() + " accepts application/x-protobuf");
    }
    CompletableFuture<HttpResponse> response =
        request
            .aggregate()
            .thenApplyAsync(this::decode, ctx.blockingTaskExecutor())
            .thenCompose(this::append)
            .handle(
                (ok, failure) -> {
                  if (failure == null) {
                    return ok;
                  }
                  Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                  if (cause instanceof OtlpHttpException refused) {
                    return error(refused.status(), refused.getMessage());
                  }
                  if (cause instanceof ContentTooLargeException) {
                    return error(
                        HttpStatus.REQUEST_ENTITY_TOO_LARGE,
                        "request body exceeds the limit of " + maxRequestBytes
                            + " bytes (receiver.max_request_bytes)");
                  }
                  LOG.warn("could not write a traces request to Kafka", cause);
                  return retryable(
                      "could not make the request durable in Kafka (" + cause.getClass().getSimpleName()
                          + ": " + cause.getMessage() + "); retry later");
                });
    return HttpResponse.of(response);
  }

  private byte[] decode(AggregatedHttpRequest request) {
    byte[] body =
        RequestBodies.decode(
            request.content().array(),
            request.headers().get(HttpHeaderNames.CONTENT_ENCODING),
            maxRequestBytes);
    try {
      ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new OtlpHttpException(
          HttpStatus.BAD_REQUEST,
          "body is not a valid protobuf ExportTraceServiceRequest: " + e.getMessage());
    }
    return body;
  }

  private CompletableFuture<HttpResponse> append(byte[] body) {
    String batchId = UUID.randomUUID().toString();
    return wal.append(Signal.TRACES, RecordHeaders.DEFAULT_TENANT, batchId, RecordHeaders.ENCODING_OTLP_PROTO, body)
        .orTimeout(kafkaAckTimeoutMs, TimeUnit.MILLISECONDS)
        .thenApply(
            acknowledged ->
                HttpResponse.of(
                    HttpStatus.OK, PROTOBUF, ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
  }

  private static HttpResponse retryable(String message) {
    return HttpResponse.builder()
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS)
        .content(PROTOBUF, status(14, message))
        .build();
  }

  private static HttpResponse error(HttpStatus status, String message) {
    int grpcCode = status == HttpStatus.BAD_REQUEST ? 3 : status == HttpStatus.REQUEST_ENTITY_TOO_LARGE ? 8 : 3;
    return HttpResponse.of(status, PROTOBUF, status(grpcCode, message));
  }

  /** A google.rpc.Status message (code = 1, message = 2), as OTLP/HTTP prescribes for errors. */
  static byte[] status(int code, String message) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeInt32(1, code);
      out.writeString(2, message);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
