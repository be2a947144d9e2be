package io.openwit.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openwit.common.config.OpenWitConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceCredentialTest {
  @TempDir Path dataDir;

  @Test
  void isGeneratedOnceIntoAFileOnlyItsOwnerReads() throws Exception {
    OpenWitConfig config = OpenWitConfig.defaults().withDataDir(dataDir.toString());
    assertThat(ServiceCredential.find(config, Map.of())).isEmpty();
    String key = ServiceCredential.ensure(config, Map.of());
    Path file = dataDir.resolve("service.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(key).startsWith("ows_").hasSizeGreaterThan(30);
    assertThat(ServiceCredential.ensure(config, Map.of())).as("kept across starts").isEqualTo(key);
    assertThat(ServiceCredential.find(config, Map.of())).contains(key);
    try (var leftovers = Files.list(dataDir)) {
      assertThat(leftovers).as("no temporary file left").containsExactly(file);
    }
  }

  @Test
  void theEnvironmentWinsSoEveryProcessOfAClusterSharesOne() {
    OpenWitConfig config = OpenWitConfig.defaults().withDataDir(dataDir.toString());
    assertThat(ServiceCredential.ensure(config, Map.of(ServiceCredential.ENVIRONMENT_VARIABLE, " shared-key\n")))
        .isEqualTo("shared-key");
    assertThat(dataDir.resolve("service.key")).doesNotExist();
  }

  @Test
  void aProcessWithoutItNamesWhereItShouldComeFrom() {
    OpenWitConfig config = OpenWitConfig.defaults().withDataDir(dataDir.toString());
    assertThatThrownBy(() -> ServiceCredential.resolve(config))
        .hasMessageContaining(ServiceCredential.ENVIRONMENT_VARIABLE).hasMessageContaining("service.key");
  }
}
