package io.openwit.receiver.grpc;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.openwit.common.otlp.InvalidOtlpException;
import io.openwit.common.otlp.OtlpCodec;
import io.openwit.common.otlp.OtlpLimitException;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.receiver.auth.ApiKeyInterceptor;
import io.openwit.receiver.ingest.IngestRefusal;
import io.openwit.receiver.ingest.KafkaAckTimeoutException;
import io.openwit.receiver.ingest.OtlpIngester;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * OTLP/gRPC: the TraceService, LogsService and MetricsService {@code Export} methods. Requests are
 * taken as bytes (checked, then written to Kafka unchanged), so no stub generation is needed.
 */
public final class OtlpGrpcServices {
  private OtlpGrpcServices() {}

  public static List<ServerServiceDefinition> all(OtlpIngester ingester) {
    return Arrays.stream(Signal.values()).map(signal -> service(signal, ingester)).toList();
  }

  static String serviceName(Signal signal) {
    return switch (signal) {
      case TRACES -> "opentelemetry.proto.collector.trace.v1.TraceService";
      case LOGS -> "opentelemetry.proto.collector.logs.v1.LogsService";
      case METRICS -> "opentelemetry.proto.collector.metrics.v1.MetricsService";
    };
  }

  private static ServerServiceDefinition service(Signal signal, OtlpIngester ingester) {
    MethodDescriptor<byte[], Message> export =
        MethodDescriptor.<byte[], Message>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(serviceName(signal), "Export"))
            .setRequestMarshaller(RAW_BYTES)
            .setResponseMarshaller(ProtoUtils.marshaller(OtlpCodec.of(signal).emptyResponse()))
            .build();
    return ServerServiceDefinition.builder(serviceName(signal))
        .addMethod(export, ServerCalls.asyncUnaryCall(
            (byte[] request, StreamObserver<Message> observer) -> export(signal, ingester, request, observer)))
        .build();
  }

  private static void export(
      Signal signal, OtlpIngester ingester, byte[] request, StreamObserver<Message> observer) {
    CompletableFuture<Message> acknowledged;
    try {
      String tenant = ApiKeyInterceptor.TENANT.get();
      acknowledged = ingester.acceptProtobuf(signal, tenant == null ? RecordHeaders.DEFAULT_TENANT : tenant, request);
    } catch (OtlpLimitException e) {
      observer.onError((e.tooLarge() ? Status.RESOURCE_EXHAUSTED : Status.INVALID_ARGUMENT)
          .withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (InvalidOtlpException e) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (IngestRefusal refusal) {
      Status status = refusal.reason() == IngestRefusal.Reason.OVERLOADED ? Status.UNAVAILABLE : Status.RESOURCE_EXHAUSTED;
      observer.onError(status.withDescription(refusal.getMessage()).asRuntimeException());
      return;
    }
    acknowledged.whenComplete((response, failure) -> {
      if (failure == null) {
        observer.onNext(response);
        observer.onCompleted();
        return;
      }
      Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
      if (cause instanceof KafkaAckTimeoutException timeout) {
        observer.onError(Status.UNAVAILABLE.withDescription(timeout.getMessage() + "; retry later").asRuntimeException());
        return;
      }
      observer.onError(Status.UNAVAILABLE
          .withDescription("could not make the request durable in Kafka (" + cause.getClass().getSimpleName()
              + ": " + cause.getMessage() + "); retry later")
          .asRuntimeException());
    });
  }

  private static final MethodDescriptor.Marshaller<byte[]> RAW_BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
}
