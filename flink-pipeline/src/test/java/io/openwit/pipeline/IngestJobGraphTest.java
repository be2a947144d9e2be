package io.openwit.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.OpenWitConfig;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The ingest job's operators as Flink chains them. */
class IngestJobGraphTest {

  @Test
  void batchesAreDecodedInTheChainOfTheSinksGeneratorAfterTheShuffle() {
    OpenWitConfig config = ConfigLoader.parse("", Map.of("batch_tracking.enabled", "false"), Map.of(), "test");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
    IngestJob.define(env, config);
    List<String> vertices = StreamSupport.stream(env.getStreamGraph().getJobGraph().getVertices().spliterator(), false)
        .map(JobVertex::getName)
        .toList();

    assertThat(vertices).filteredOn(name -> name.contains("decode-batches")).singleElement().satisfies(chain -> {
      assertThat(chain).as("the keyed dedup feeds the decoder in memory").contains("drop-retried-batches");
      assertThat(chain).as("the decoder feeds the generator in memory").containsIgnoringCase("generator");
      assertThat(chain).as("rows are made after the shuffle").doesNotContain("route-records");
    });
  }
}
