package io.openwit.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobArgumentsTest {

  @Test
  void readsAFileAndAppliesOverridesOnTop(@TempDir Path directory) throws Exception {
    Path file = directory.resolve("openwit.yaml");
    Files.writeString(file, """
        metastore:
          jdbc_url: jdbc:postgresql://db:5432/openwit
          password: ${PGPASSWORD}
        pipeline:
          parallelism: 2
        """);
    OpenWitConfig config = JobArguments.parse(new String[] {
        "--config", file.toString(),
        "--set", "pipeline.parallelism=4",
        "--set", "ingestion.kafka.bootstrap_servers=kafka-1:9092,kafka-2:9092",
        "--set", "index.enabled=false"}, Map.of("PGPASSWORD", "from-env"));
    assertThat(config.metastore().password()).isEqualTo("from-env");
    assertThat(config.pipeline().parallelism()).isEqualTo(4);
    assertThat(config.ingestion().kafka().bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092");
    assertThat(config.index().enabled()).isFalse();
  }

  @Test
  void takesInlineYamlAndStructuredOverrides() {
    OpenWitConfig config = JobArguments.parse(new String[] {
        "--config-yaml", "catalog:\n  advertised_host: catalog\n",
        "--set", "ingestion.kafka.external_topics=[{\"pattern\": \"otlp_spans_.*\"}]"}, Map.of());
    assertThat(config.catalogUri()).isEqualTo("http://catalog:8181");
    assertThat(config.ingestion().kafka().externalTopics()).singleElement()
        .satisfies(topics -> assertThat(topics.pattern()).isEqualTo("otlp_spans_.*"));
  }

  @Test
  void noArgumentsMeansDefaults() {
    assertThat(JobArguments.parse(new String[0], Map.of())).isEqualTo(OpenWitConfig.defaults());
  }

  @Test
  void badArgumentsNameTheProblem() {
    assertThatThrownBy(() -> JobArguments.parse(new String[] {"--conf", "x"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown job argument '--conf'");
    assertThatThrownBy(() -> JobArguments.parse(new String[] {"--set", "pipeline.parallelism"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("key.path=value");
    assertThatThrownBy(() -> JobArguments.parse(new String[] {"--set", "pipeline.paralelism=3"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'pipeline.paralelism'");
    assertThatThrownBy(() -> JobArguments.parse(new String[] {"--set", "pipeline.parallelism=0"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'pipeline.parallelism' must be positive");
    assertThatThrownBy(() -> JobArguments.parse(new String[] {"--config"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("needs a value");
  }
}
