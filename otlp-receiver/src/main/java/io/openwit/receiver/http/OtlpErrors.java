package io.openwit.receiver.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedOutputStream;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.openwit.receiver.ingest.IngestRefusal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * OTLP/HTTP error responses: a google.rpc.Status body whose message says what was wrong. Also the
 * server's error handler, so refusals Armeria makes itself (an oversized body) read the same way.
 */
public final class OtlpErrors implements ServerErrorHandler {
  static final MediaType PROTOBUF = MediaType.parse("application/x-protobuf");
  private static final int RETRY_AFTER_SECONDS = 5;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int INVALID_ARGUMENT = 3;
  private static final int RESOURCE_EXHAUSTED = 8;
  private static final int UNAVAILABLE = 14;
  private static final int UNAUTHENTICATED = 16;

  private final long maxRequestBytes;

  public OtlpErrors(long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    return cause instanceof ContentTooLargeException ? tooLarge(maxRequestBytes).toHttpResponse() : null;
  }

  @Override
  public AggregatedHttpResponse renderStatus(
      ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers, HttpStatus status,
      String description, Throwable cause) {
    return status == HttpStatus.REQUEST_ENTITY_TOO_LARGE ? tooLarge(maxRequestBytes) : null;
  }

  static AggregatedHttpResponse tooLarge(long maxRequestBytes) {
    return AggregatedHttpResponse.of(
        HttpStatus.REQUEST_ENTITY_TOO_LARGE, PROTOBUF,
        status(RESOURCE_EXHAUSTED,
            "request body exceeds the limit of " + maxRequestBytes + " bytes (receiver.max_request_bytes)"));
  }

  /** A refusal with no retry hint: 400, 413, 415. */
  static HttpResponse response(HttpStatus status, String message, boolean json) {
    int code = status == HttpStatus.REQUEST_ENTITY_TOO_LARGE ? RESOURCE_EXHAUSTED : INVALID_ARGUMENT;
    return error(ResponseHeaders.builder(status), code, message, json);
  }

  /** 401 for a request without a valid API key, in the request's encoding. */
  public static HttpResponse unauthorized(HttpRequest request, String message) {
    return error(ResponseHeaders.builder(HttpStatus.UNAUTHORIZED).add(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer"),
        UNAUTHENTICATED, message, isJson(request.contentType()));
  }

  /** 503 with Retry-After: the client should send the same request again later. */
  static HttpResponse retryable(String message, boolean json) {
    return withRetryAfter(HttpStatus.SERVICE_UNAVAILABLE, UNAVAILABLE, message, RETRY_AFTER_SECONDS, json);
  }

  /**
   * A request the ingester refused: over a tenant limit (429, 413), or over the receiver's memory
   * budget (429; gRPC clients get UNAVAILABLE).
   */
  static HttpResponse refusal(IngestRefusal refusal, boolean json) {
    return switch (refusal.reason()) {
      case RATE_LIMITED -> withRetryAfter(
          HttpStatus.TOO_MANY_REQUESTS, RESOURCE_EXHAUSTED, refusal.getMessage(), refusal.retryAfterSeconds(), json);
      case TOO_LARGE -> response(HttpStatus.REQUEST_ENTITY_TOO_LARGE, refusal.getMessage(), json);
      case OVERLOADED -> withRetryAfter(HttpStatus.TOO_MANY_REQUESTS, UNAVAILABLE, refusal.getMessage() + "; retry later",
          refusal.retryAfterSeconds(), json);
    };
  }

  /** OTLP/JSON requests get JSON answers; everything else gets protobuf. */
  static boolean isJson(MediaType contentType) {
    return contentType != null && contentType.is(MediaType.JSON);
  }

  private static HttpResponse withRetryAfter(
      HttpStatus status, int code, String message, long retryAfterSeconds, boolean json) {
    return error(ResponseHeaders.builder(status).add(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds)),
        code, message, json);
  }

  private static HttpResponse error(ResponseHeadersBuilder headers, int code, String message, boolean json) {
    return HttpResponse.of(
        headers.contentType(json ? MediaType.JSON : PROTOBUF).build(),
        HttpData.wrap(json ? jsonStatus(code, message).getBytes(StandardCharsets.UTF_8) : status(code, message)));
  }

  /** The JSON form of google.rpc.Status, for OTLP/JSON clients. */
  private static String jsonStatus(int code, String message) {
    try {
      return JSON.writeValueAsString(Map.of("code", code, "message", message));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
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
