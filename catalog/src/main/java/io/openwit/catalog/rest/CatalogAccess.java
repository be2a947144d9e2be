package io.openwit.catalog.rest;

import com.linecorp.armeria.common.HttpMethod;
import io.openwit.common.auth.Principal;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.exceptions.ForbiddenException;

/**
 * What a tenant's key may do in the REST catalog: read its own namespace (load it, list and load
 * its tables and views, report scan metrics), nothing else. Admin and service keys may do
 * everything the protocol offers.
 */
final class CatalogAccess {
  private CatalogAccess() {}

  /**
   * Refuses (403) the request of {@code principal} for {@code method} on the route {@code parts}
   * (the path after {@code /v1/}, split at '/'), naming in {@code namespace} the namespace it is
   * about, or null for catalog-wide routes.
   */
  static void check(Principal principal, HttpMethod method, String[] parts, Namespace namespace) {
    if (principal.isOperator()) {
      return;
    }
    boolean reads = method == HttpMethod.GET || method == HttpMethod.HEAD;
    if (namespace == null) {
      // /v1/config and the namespace list (answered with the tenant's own namespace only)
      if (reads) {
        return;
      }
      throw changeRefused(principal);
    }
    if (!namespace.equals(Namespace.of(principal.tenant()))) {
      throw new ForbiddenException("%s may not reach namespace %s", principal, namespace);
    }
    boolean reportsMetrics = method == HttpMethod.POST && parts.length == 5 && parts[4].equals("metrics");
    if (!reads && !reportsMetrics) {
      throw changeRefused(principal);
    }
  }

  private static ForbiddenException changeRefused(Principal principal) {
    return new ForbiddenException(
        "%s reads only: creating, committing, renaming or dropping needs an admin key", principal);
  }
}
