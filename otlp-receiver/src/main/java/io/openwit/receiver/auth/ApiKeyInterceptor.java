package io.openwit.receiver.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.openwit.common.auth.Authenticator;
import java.util.Optional;

/** OTLP/gRPC authentication: the call's tenant from the {@code authorization} metadata, or UNAUTHENTICATED. */
public final class ApiKeyInterceptor implements ServerInterceptor {
  /** The authenticated tenant of the current call. */
  public static final Context.Key<String> TENANT = Context.key("openwit-tenant");
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Authenticator authenticator;

  public ApiKeyInterceptor(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String authorization = headers.get(AUTHORIZATION);
    Optional<String> tenant = authenticator.tenantOf(authorization);
    if (tenant.isEmpty()) {
      call.close(Status.UNAUTHENTICATED.withDescription(authenticator.refusal(authorization)), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(TENANT, tenant.get()), call, headers, next);
  }
}
