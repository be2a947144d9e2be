package io.openwit.common.metastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Admin keys on both backends: stored as hashes only, listed by id, revoked by id. */
class AdminKeysIT {
  @TempDir Path dataDir;

  @OnBothBackends
  void adminKeysAreStoredHashedAndRevokedById(String backend) throws Exception {
    try (TestMetastores metastores = new TestMetastores()) {
      Metastore metastore = metastores.migrated(backend, dataDir);
      ApiKeys.NewKey first = metastore.createAdminKey();
      ApiKeys.NewKey second = metastore.createAdminKey();
      assertThat(metastore.adminKeyHashes()).containsExactlyInAnyOrder(ApiKeys.hash(first.key()), ApiKeys.hash(second.key()))
          .doesNotContain(first.key(), second.key());
      assertThat(metastore.adminKeys()).extracting(Metastore.AdminKey::id).containsExactlyInAnyOrder(first.id(), second.id());

      metastore.revokeAdminKey(first.id());
      assertThat(metastore.adminKeyHashes()).containsExactly(ApiKeys.hash(second.key()));
      assertThatThrownBy(() -> metastore.revokeAdminKey(first.id()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(first.id());
      assertThat(metastore.tenantsByKeyHash()).as("admin keys are no tenant's").doesNotContainKey(ApiKeys.hash(second.key()));
    }
  }
}
