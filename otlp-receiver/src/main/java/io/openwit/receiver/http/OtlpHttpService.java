package io.openwit.receiver.http;

import com.google.protobuf.Message;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.openwit.common.auth.ApiKeyDecorator;
import io.openwit.common.otlp.InvalidOtlpException;
import io.openwit.common.otlp.OtlpCodec;
import io.openwit.common.otlp.OtlpLimitException;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.receiver.ingest.IngestRefusal;
import io.openwit.receiver.ingest.KafkaAckTimeoutException;
import io.openwit.receiver.ingest.OtlpIngester;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/HTTP {@code POST /v1/traces|logs|metrics} with protobuf or JSON bodies, gzip or not. A
 * request is answered 200 only after Kafka acknowledged it; errors carry a google.rpc.Status, in the
 * request's encoding, whose message says what was wrong.
 */
public final class OtlpHttpService implements HttpService {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpHttpService.class);

  private final Signal signal;
  private final OtlpIngester ingester;
  private final long maxRequestBytes;

  public OtlpHttpService(Signal signal, OtlpIngester ingester, long maxRequestBytes) {
    this.signal = signal;
    this.ingester = ingester;
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest request) {
    MediaType contentType = request.contentType();
    boolean json = OtlpErrors.isJson(contentType);
    if (!json && (contentType == null || !contentType.is(OtlpErrors.PROTOBUF))) {
      request.abort();
      return OtlpErrors.response(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "unsupported Content-Type '" + (contentType == null ? "" : contentType)
              + "'; " + ctx.path() + " accepts application/x-protobuf and application/json",
          false);
    }
    CompletableFuture<HttpResponse> response =
        request
            .aggregate()
            .thenComposeAsync(body -> accept(body, json, tenantOf(ctx)), ctx.blockingTaskExecutor())
            .handle(
                (ok, failure) -> {
                  if (failure == null) {
                    return ok;
                  }
                  Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                  if (cause instanceof OtlpHttpException refused) {
                    return OtlpErrors.response(refused.status(), refused.getMessage(), json);
                  }
                  if (cause instanceof ContentTooLargeException) {
                    return OtlpErrors.tooLarge(maxRequestBytes).toHttpResponse();
                  }
                  if (cause instanceof IngestRefusal refusal) {
                    return OtlpErrors.refusal(refusal, json);
                  }
                  if (cause instanceof KafkaAckTimeoutException timeout) {
                    return OtlpErrors.retryable(timeout.getMessage() + "; retry later", json);
                  }
                  LOG.warn("could not write a {} request to Kafka", signal.headerValue(), cause);
                  return OtlpErrors.retryable(
                      "could not make the request durable in Kafka (" + cause.getClass().getSimpleName()
                          + ": " + cause.getMessage() + "); retry later",
                      json);
                });
    return HttpResponse.of(response);
  }

  /** Set by {@link ApiKeyDecorator}; the default tenant when the service runs without it. */
  private static String tenantOf(ServiceRequestContext ctx) {
    String tenant = ctx.attr(ApiKeyDecorator.TENANT);
    return tenant == null ? RecordHeaders.DEFAULT_TENANT : tenant;
  }

  private CompletableFuture<HttpResponse> accept(AggregatedHttpRequest request, boolean json, String tenant) {
    long maxBytes = ingester.maxRequestBytes(tenant);
    byte[] body =
        RequestBodies.decode(
            request.content().array(),
            request.headers().get(HttpHeaderNames.CONTENT_ENCODING),
            maxBytes,
            maxBytes < maxRequestBytes ? "limits max_request_bytes of tenant '" + tenant + "'" : "receiver.max_request_bytes");
    CompletableFuture<Message> acknowledged;
    try {
      acknowledged = json
          ? ingester.acceptJson(signal, tenant, body)
          : ingester.acceptProtobuf(signal, tenant, body);
    } catch (OtlpLimitException e) {
      throw new OtlpHttpException(e.tooLarge() ? HttpStatus.REQUEST_ENTITY_TOO_LARGE : HttpStatus.BAD_REQUEST,
          e.getMessage());
    } catch (InvalidOtlpException e) {
      throw new OtlpHttpException(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    return acknowledged.thenApply(response -> success(response, json));
  }

  private static HttpResponse success(Message response, boolean json) {
    return json
        ? HttpResponse.of(HttpStatus.OK, MediaType.JSON, OtlpCodec.toJson(response))
        : HttpResponse.of(HttpStatus.OK, OtlpErrors.PROTOBUF, response.toByteArray());
  }
}
