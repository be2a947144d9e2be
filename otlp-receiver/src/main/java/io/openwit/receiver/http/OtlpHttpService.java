package io.openwit.receiver.http;

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
    MediaType contentType = request.contentType();
    if (contentType == null || !contentType.is(OtlpErrors.PROTOBUF)) {
      request.abort();
      return OtlpErrors.response(
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
                    return OtlpErrors.response(refused.status(), refused.getMessage());
                  }
                  if (cause instanceof ContentTooLargeException) {
                    return OtlpErrors.tooLarge(maxRequestBytes).toHttpResponse();
                  }
                  LOG.warn("could not write a traces request to Kafka", cause);
                  return OtlpErrors.retryable(
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
                    HttpStatus.OK, OtlpErrors.PROTOBUF, ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
  }
}
