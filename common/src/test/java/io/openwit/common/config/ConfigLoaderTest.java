package io.openwit.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  @Test
  void emptyFileGivesDefaults() {
    OpenWitConfig config = ConfigLoader.parse("", Map.of(), "openwit.yaml");
    assertThat(config.receiver().httpPort()).isEqualTo(4318);
    assertThat(config.catalog().port()).isEqualTo(8181);
    assertThat(config.pipeline().checkpointIntervalMs()).isLessThanOrEqualTo(10_000L);
    assertThat(config.metastoreJdbcUrl()).startsWith("jdbc:sqlite:").endsWith("metastore.db");
  }

  @Test
  void substitutesEnvironmentWithDefaults() {
    String yaml =
        """
        data_dir: ${OPENWIT_DATA:-/var/lib/openwit}
        metastore:
          jdbc_url: jdbc:postgresql://127.0.0.1:5432/openwit
          password: ${PGPASS}
        receiver:
          http_port: ${PORT}
        """;
    OpenWitConfig config =
        ConfigLoader.parse(yaml, Map.of("PGPASS", "s3cret", "PORT", "14318"), "openwit.yaml");
    assertThat(config.dataDir()).isEqualTo("/var/lib/openwit");
    assertThat(config.metastore().password()).isEqualTo("s3cret");
    assertThat(config.receiver().httpPort()).isEqualTo(14318);
    assertThat(config.receiver().maxRequestBytes()).isEqualTo(16L * 1024 * 1024);
  }

  @Test
  void missingVariableWithoutDefaultIsNamed() {
    assertThatThrownBy(() -> ConfigLoader.parse("data_dir: ${NOPE}", Map.of(), "openwit.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("NOPE");
  }

  @Test
  void unknownKeyIsRejectedWithItsPath() {
    assertThatThrownBy(() -> ConfigLoader.parse("receiver:\n  htp_port: 1\n", Map.of(), "openwit.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("receiver.htp_port")
        .hasMessageContaining("http_port");
  }

  @Test
  void badValueIsRejectedWithItsPath() {
    assertThatThrownBy(
            () -> ConfigLoader.parse("pipeline:\n  checkpoint_interval_ms: soon\n", Map.of(), "openwit.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("pipeline.checkpoint_interval_ms");
    assertThatThrownBy(() -> ConfigLoader.parse("trino:\n  port: 70000\n", Map.of(), "openwit.yaml"))
        .hasMessageContaining("trino.port");
    assertThatThrownBy(
            () -> ConfigLoader.parse("metastore:\n  jdbc_url: jdbc:mysql://x/y\n", Map.of(), "openwit.yaml"))
        .hasMessageContaining("metastore.jdbc_url");
  }
}
