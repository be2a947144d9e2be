package io.openwit.common.auth;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import java.util.Optional;

/**
 * Authentication of a reading or operating door (query API, catalog, operator APIs): the caller's
 * {@link Principal} into the request context, a 401 without a known key, and a 403 for a tenant
 * key on a door only operators may use.
 */
public final class PrincipalDecorator implements DecoratingHttpServiceFunction {
  public static final AttributeKey<Principal> PRINCIPAL = AttributeKey.valueOf(PrincipalDecorator.class, "principal");

  /** Renders a refusal in the door's own error format. */
  @FunctionalInterface
  public interface Refusal {
    HttpResponse render(HttpStatus status, String message);
  }

  private final Authenticator authenticator;
  private final boolean operatorsOnly;
  private final Refusal refusal;

  private PrincipalDecorator(Authenticator authenticator, boolean operatorsOnly, Refusal refusal) {
    this.authenticator = authenticator;
    this.operatorsOnly = operatorsOnly;
    this.refusal = refusal;
  }

  /** Any known key; the door itself limits a tenant to its own data. */
  public static PrincipalDecorator anyKey(Authenticator authenticator, Refusal refusal) {
    return new PrincipalDecorator(authenticator, false, refusal);
  }

  /** Admin and service keys only (and everyone when authentication is off). */
  public static PrincipalDecorator operators(Authenticator authenticator, Refusal refusal) {
    return new PrincipalDecorator(authenticator, true, refusal);
  }

  /** The principal the decorator found for this request. */
  public static Principal of(ServiceRequestContext ctx) {
    Principal principal = ctx.attr(PRINCIPAL);
    if (principal == null) {
      throw new IllegalStateException("no PrincipalDecorator in front of " + ctx.path());
    }
    return principal;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest request) throws Exception {
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    Optional<Principal> principal = authenticator.authenticate(authorization);
    if (principal.isEmpty()) {
      request.abort();
      return refusal.render(HttpStatus.UNAUTHORIZED, Authenticator.missingOrUnknown(authorization));
    }
    if (operatorsOnly && !principal.get().isOperator()) {
      request.abort();
      return refusal.render(HttpStatus.FORBIDDEN,
          "this API needs an admin key; a tenant's key (" + principal.get() + ") may not use it");
    }
    ctx.setAttr(PRINCIPAL, principal.get());
    return delegate.serve(ctx, request);
  }
}
