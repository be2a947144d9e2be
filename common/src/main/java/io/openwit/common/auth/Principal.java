package io.openwit.common.auth;

import io.openwit.common.wire.RecordHeaders;
import java.util.Objects;

/**
 * Who is asking: a tenant's key (its own data only), an admin key (every tenant and the operator
 * APIs), the service key (OpenWit's own processes and Trino), or nobody in particular when
 * authentication is off (every door open, as on a laptop).
 */
public record Principal(Kind kind, String tenant) {
  /**
   * The header in which an admin or the service names the tenant a request is for (Trino's search
   * functions run for the session's user this way); a tenant key's own tenant needs no header.
   */
  public static final String TENANT_HEADER = "X-OpenWit-Tenant";

  public enum Kind { TENANT, ADMIN, SERVICE, OPEN }

  private static final Principal ADMIN = new Principal(Kind.ADMIN, null);
  private static final Principal SERVICE = new Principal(Kind.SERVICE, null);
  private static final Principal OPEN = new Principal(Kind.OPEN, null);

  public Principal {
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.TENANT) != (tenant != null)) {
      throw new IllegalArgumentException("a tenant principal, and only one, names its tenant");
    }
  }

  public static Principal tenant(String tenant) {
    return new Principal(Kind.TENANT, tenant);
  }

  public static Principal admin() {
    return ADMIN;
  }

  public static Principal service() {
    return SERVICE;
  }

  /** Authentication is off. */
  public static Principal open() {
    return OPEN;
  }

  /** Whether it may run the operator APIs (batches, replay, maintenance, nodes) and change the catalog. */
  public boolean isOperator() {
    return kind != Kind.TENANT;
  }

  /**
   * The tenant a request of this principal is for: a tenant key's own (naming another is refused),
   * else the one {@code requested} names, else {@code default}.
   */
  public String tenantFor(String requested) {
    boolean named = requested != null && !requested.isBlank();
    if (kind == Kind.TENANT) {
      if (named && !requested.strip().equals(tenant)) {
        throw new AccessDeniedException("this API key belongs to tenant '" + tenant + "' and cannot read tenant '"
            + requested.strip() + "'");
      }
      return tenant;
    }
    return named ? requested.strip() : RecordHeaders.DEFAULT_TENANT;
  }

  /** For logs and messages: never a key, only what kind of caller it was. */
  @Override
  public String toString() {
    return kind == Kind.TENANT ? "tenant " + tenant : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
