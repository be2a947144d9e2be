package io.openwit.common.auth;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import java.util.Optional;
import java.util.function.BiFunction;

/** Ingestion's HTTP authentication: the tenant that writes, from its API key, or a 401. */
public final class ApiKeyDecorator implements DecoratingHttpServiceFunction {
  /** The authenticated tenant of the current request. */
  public static final AttributeKey<String> TENANT = AttributeKey.valueOf(ApiKeyDecorator.class, "tenant");

  private final Authenticator authenticator;
  private final BiFunction<HttpRequest, String, HttpResponse> unauthorized;

  /** {@code unauthorized} renders the 401 for a request and a reason, in the request's encoding. */
  public ApiKeyDecorator(Authenticator authenticator, BiFunction<HttpRequest, String, HttpResponse> unauthorized) {
    this.authenticator = authenticator;
    this.unauthorized = unauthorized;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest request) throws Exception {
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    Optional<String> tenant = authenticator.tenantOf(authorization);
    if (tenant.isEmpty()) {
      request.abort();
      return unauthorized.apply(request, authenticator.refusal(authorization));
    }
    ctx.setAttr(TENANT, tenant.get());
    return delegate.serve(ctx, request);
  }
}
