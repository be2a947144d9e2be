package io.openwit.common.metastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tenant registry on both backends: migrations, keys stored hashed, rotation and deletion. */
class MetastoreIT {
  private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";

  @TempDir Path dataDir;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void tenantsAndTheirKeys(String backend) throws Exception {
    String database = "openwit_metastore_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    boolean postgres = backend.equals("postgresql");
    if (postgres) {
      admin("CREATE DATABASE " + database);
    }
    try {
      Metastore metastore = postgres
          ? new Metastore(POSTGRES + database, "postgres", "")
          : new Metastore("jdbc:sqlite:" + dataDir.resolve("metastore.db"), "", "");
      metastore.migrate();
      metastore.migrate();
      assertThat(metastore.tenants()).containsExactly("default");

      ApiKeys.NewKey acme = metastore.createTenant("acme");
      assertThat(acme.key()).startsWith(acme.id() + "_");
      assertThat(metastore.tenantsByKeyHash()).containsEntry(ApiKeys.hash(acme.key()), "acme")
          .doesNotContainKey(acme.key());
      assertThatThrownBy(() -> metastore.createTenant("acme")).hasMessage("tenant 'acme' already exists");
      assertThatThrownBy(() -> metastore.createTenant("Bad-Name")).hasMessageContaining("must be a lowercase letter");

      ApiKeys.NewKey rotated = metastore.rotateKey("acme");
      assertThat(metastore.tenantsByKeyHash()).containsOnlyKeys(ApiKeys.hash(rotated.key()));
      assertThat(metastore.tenantsWithKeys())
          .containsExactly(new Metastore.Tenant("acme", java.util.List.of(rotated.id())),
              new Metastore.Tenant("default", java.util.List.of()));

      metastore.deleteTenant("acme");
      assertThat(metastore.tenants()).containsExactly("default");
      assertThat(metastore.tenantsByKeyHash()).isEmpty();
      assertThatThrownBy(() -> metastore.rotateKey("acme")).hasMessage("no tenant 'acme'");
    } finally {
      if (postgres) {
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  private static void admin(String sql) throws Exception {
    try (Connection connection = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
