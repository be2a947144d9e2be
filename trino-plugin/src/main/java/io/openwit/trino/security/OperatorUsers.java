package io.openwit.trino.security;

import java.util.Set;

/**
 * The Trino users that are not tenants: {@code admin} logs in with an admin key, {@code openwit}
 * with the service key. Both may do everything; every other user is a tenant of that name. The
 * names are OpenWit's (io.openwit.common.metastore.ApiKeys reserves them as tenant ids); this
 * plugin runs inside Trino without OpenWit's common module, hence the copy.
 */
final class OperatorUsers {
  static final String ADMIN = "admin";
  static final String SERVICE = "openwit";
  private static final Set<String> ALL = Set.of(ADMIN, SERVICE);

  private OperatorUsers() {}

  static boolean isOperator(String user) {
    return ALL.contains(user);
  }
}
