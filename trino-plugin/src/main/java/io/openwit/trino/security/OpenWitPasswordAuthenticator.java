package io.openwit.trino.security;

import io.trino.spi.security.AccessDeniedException;
import io.trino.spi.security.BasicPrincipal;
import io.trino.spi.security.PasswordAuthenticator;
import java.security.Principal;

/**
 * Trino logins with OpenWit's keys: user = a tenant's name and password = that tenant's API key;
 * user {@code admin} with an admin key; user {@code openwit} with the service key. The query API
 * says whose a key is; a login succeeds only when that owner is the user named.
 */
final class OpenWitPasswordAuthenticator implements PasswordAuthenticator {
  private final WhoAmIClient whoAmI;
  private final LoginCache cache;

  OpenWitPasswordAuthenticator(WhoAmIClient whoAmI, LoginCache cache) {
    this.whoAmI = whoAmI;
    this.cache = cache;
  }

  @Override
  public Principal createAuthenticatedPrincipal(String user, String password) {
    if (!cache.contains(user, password)) {
      // a key is printable ASCII; anything else cannot even go into the HTTP header that asks about it
      boolean printable = !password.isEmpty() && password.chars().allMatch(c -> c > ' ' && c < 0x7f);
      if (!printable || !whoAmI.userOf(password).map(user::equals).orElse(false)) {
        throw new AccessDeniedException("user " + user + " and this password do not match: the password is the"
            + " tenant's API key (user admin: an admin key)");
      }
      cache.add(user, password);
    }
    return new BasicPrincipal(user);
  }
}
