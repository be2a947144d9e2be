package io.openwit.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.Metastore;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys of a real (SQLite) metastore to principals, and what ingestion may do with each. */
class AuthenticatorIT {
  private static final long REFRESH_MS = 100;

  @TempDir Path dataDir;

  @Test
  void eachKindOfKeyIsItsKindOfPrincipal() throws Exception {
    OpenWitConfig config = new OpenWitConfig(dataDir.toString(), null, new OpenWitConfig.Auth(true, null, null, REFRESH_MS),
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    Metastore metastore = Metastore.of(config);
    metastore.migrate();
    String acme = metastore.createTenant("acme").key();
    String admin = metastore.createAdminKey().key();
    ServiceCredential.ensure(config);
    try (Authenticator authenticator = Authenticator.of(config, metastore)) {
      assertThat(authenticator.authenticate("Bearer " + acme)).contains(Principal.tenant("acme"));
      assertThat(authenticator.authenticate("bearer  " + admin)).contains(Principal.admin());
      assertThat(authenticator.authenticate("Bearer " + ServiceCredential.resolve(config))).contains(Principal.service());
      assertThat(authenticator.authenticate("Bearer owk_0_0")).isEmpty();
      assertThat(authenticator.authenticate(acme)).as("not a bearer header").isEmpty();
      assertThat(authenticator.authenticate(null)).isEmpty();

      assertThat(authenticator.tenantOf("Bearer " + acme)).contains("acme");
      assertThat(authenticator.tenantOf("Bearer " + admin)).as("an admin key writes into no tenant").isEmpty();
      assertThat(authenticator.refusal("Bearer " + admin)).contains("tenant's API key");
      assertThat(authenticator.refusal(null)).contains("missing API key");

      String globex = metastore.createTenant("globex").key();
      metastore.revokeAdminKey(metastore.adminKeys().get(0).id());
      Thread.sleep(5 * REFRESH_MS);
      assertThat(authenticator.authenticate("Bearer " + globex)).contains(Principal.tenant("globex"));
      assertThat(authenticator.authenticate("Bearer " + admin)).as("revoked").isEmpty();
    }
  }

  @Test
  void withAuthenticationOffEveryoneIsOpenAndWritesDefault() {
    try (Authenticator open = Authenticator.open()) {
      assertThat(open.authenticate(null)).contains(Principal.open());
      assertThat(open.tenantOf(null)).isEqualTo(Optional.of("default"));
    }
  }
}
