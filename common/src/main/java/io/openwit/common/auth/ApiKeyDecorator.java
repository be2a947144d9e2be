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

/** HTTP authentication (OTLP/HTTP, the query API): the request's tenant from its API key, or a 401. */
public final class ApiKeyDecorator implements DecoratingHttpServiceFunction {
  /** The authenticated tenant of the current request. */
  public static final AttributeKey<String> TENANT = AttributeKey.valueOf(ApiKeyDecorator.class, "tenant");

  private final TenantResolver tenants;
  private final BiFunction<HttpRequest, String, HttpResponse> unauthorized;

  /** {@code unauthorized} renders the 401 for a request and a reason, in the request's encoding. */
  public ApiKeyDecorator(TenantResolver tenants, BiFunction<HttpRequest, String, HttpResponse> unauthorized) {
    this.tenants = tenants;
    this.unauthorized = unauthorized;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest request) throws Exception {
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    Optional<String> tenant = tenants.tenantOf(authorization);
    if (tenant.isEmpty()) {
      request.abort();
      return unauthorized.apply(request, TenantResolver.refusal(authorization));
    }
    ctx.setAttr(TENANT, tenant.get());
    return delegate.serve(ctx, request);
  }
}
