package io.openwit.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openwit.common.wire.Signal;
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

  @Test
  void retentionIsReadPerTenantAndSignalOverTheDefaults() {
    OpenWitConfig config = ConfigLoader.parse("""
        maintenance:
          retention:
            defaults: {traces: 30, logs: 14}
            tenants:
              acme: {logs: 7}
        """, Map.of(), "openwit.yaml");
    OpenWitConfig.Retention retention = config.maintenance().retention();
    assertThat(retention.daysOf("acme", Signal.LOGS)).isEqualTo(7);
    assertThat(retention.daysOf("acme", Signal.TRACES)).isEqualTo(30);
    assertThat(retention.daysOf("globex", Signal.LOGS)).isEqualTo(14);
    assertThat(retention.daysOf("globex", Signal.METRICS)).isZero();
  }

  @Test
  void controlPlaneSettingsAreChecked() {
    assertThatThrownBy(() -> ConfigLoader.parse("pipeline:\n  starting_offsets: newest\n", Map.of(), "openwit.yaml"))
        .hasMessageContaining("pipeline.starting_offsets");
    assertThatThrownBy(() -> ConfigLoader.parse(
            "maintenance:\n  retention:\n    tenants:\n      acme: {logs: -1}\n", Map.of(), "openwit.yaml"))
        .hasMessageContaining("maintenance.retention.tenants.acme.logs");
    assertThatThrownBy(() -> ConfigLoader.parse("cluster:\n  down_after_ms: 1000\n", Map.of(), "openwit.yaml"))
        .hasMessageContaining("cluster.down_after_ms");
    assertThatThrownBy(() -> ConfigLoader.parse("maintenance:\n  tick_ms: 20000\n", Map.of(), "openwit.yaml"))
        .hasMessageContaining("maintenance.tick_ms");
    assertThatThrownBy(() -> ConfigLoader.parse(
            "batch_tracking:\n  stuck_after_ms: 900000\n", Map.of(), "openwit.yaml"))
        .hasMessageContaining("batch_tracking.stuck_after_ms").hasMessageContaining("pipeline.dedup_window_ms");
  }

  @Test
  void objectStorageSettingsBecomeIcebergFileIoProperties() {
    OpenWitConfig config = ConfigLoader.parse("""
        catalog:
          warehouse: s3://lake/warehouse
        storage:
          s3:
            endpoint: http://minio:9000
            region: eu-west-1
            path_style_access: true
        """, Map.of(), "openwit.yaml");
    assertThat(config.warehouseOnS3()).isTrue();
    assertThat(config.storage().icebergProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "io-impl", "org.apache.iceberg.io.ResolvingFileIO",
        "s3.endpoint", "http://minio:9000",
        "client.region", "eu-west-1",
        "s3.path-style-access", "true"));
    assertThat(OpenWitConfig.defaults().warehouseOnS3()).isFalse();
    assertThatThrownBy(() -> ConfigLoader.parse("storage:\n  s3:\n    endpoint: minio:9000\n", Map.of(), "openwit.yaml"))
        .hasMessageContaining("'storage.s3.endpoint' must be an http:// or https:// URL");
    assertThatThrownBy(() -> ConfigLoader.parse("storage:\n  s3:\n    access_key: x\n", Map.of(), "openwit.yaml"))
        .hasMessageContaining("unknown key 'storage.s3.access_key'");
  }

  @Test
  void movedAuthKeysNameTheirNewPlace() {
    assertThatThrownBy(() -> ConfigLoader.parse("receiver:\n  auth_enabled: true\n", Map.of(), "openwit.yaml"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'auth.enabled'");
    assertThatThrownBy(() -> ConfigLoader.parse("receiver:\n  api_key_refresh_ms: 5\n", Map.of(), "openwit.yaml"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'auth.key_refresh_ms'");
  }

  @Test
  void listenersStayOnLoopbackUnlessAuthIsOnOrTheOpenNetworkIsAskedFor() {
    assertThat(ConfigLoader.parse("", Map.of(), "openwit.yaml").listenAddress()).isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> ConfigLoader.parse("listen_address: 0.0.0.0\n", Map.of(), "openwit.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.enabled").hasMessageContaining("auth.allow_open_network");
    assertThat(ConfigLoader.parse("listen_address: 0.0.0.0\nauth:\n  enabled: true\n", Map.of(), "openwit.yaml")
        .auth().enabled()).isTrue();
    assertThat(ConfigLoader.parse("listen_address: 0.0.0.0\nauth:\n  allow_open_network: true\n", Map.of(),
        "openwit.yaml").listenAddress()).isEqualTo("0.0.0.0");
    assertThat(ConfigLoader.parse("listen_address: localhost\n", Map.of(), "openwit.yaml").listenAddress())
        .isEqualTo("localhost");
  }
}
