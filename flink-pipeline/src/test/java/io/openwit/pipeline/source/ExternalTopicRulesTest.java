package io.openwit.pipeline.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.wire.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExternalTopicRulesTest {
  private static ExternalTopicRules rules(OpenWitConfig.ExternalTopics... topics) {
    return new ExternalTopicRules(new OpenWitConfig.Kafka(null, null, List.of(topics), null, null, null, null));
  }

  @Test
  void tenantFromTheTokenAtTheDefaultPositionAndSignalFromTheName() {
    ExternalTopicRules rules = rules(new OpenWitConfig.ExternalTopics("otlp\\..*", null, null, null, null));
    assertThat(rules.originOf("otlp.spans.acme"))
        .contains(new ExternalTopicRules.Origin("acme", Signal.TRACES, "otlp_proto"));
    assertThat(rules.originOf("otlp.metrics.Globex-EU"))
        .contains(new ExternalTopicRules.Origin("globex", Signal.METRICS, "otlp_proto"));
    assertThat(rules.originOf("otlp.unknown.acme")).as("no signal in the name or the rule").isEmpty();
    assertThat(rules.originOf("other.spans.acme")).as("no rule matches").isEmpty();
  }

  @Test
  void ruleSettingsWinAndMissingTokensGenerateATenant() {
    ExternalTopicRules rules = rules(
        new OpenWitConfig.ExternalTopics("collector_logs", "logs", "otlp_json", null, "ops"),
        new OpenWitConfig.ExternalTopics("t_(.*)", "traces", null, 1, null),
        new OpenWitConfig.ExternalTopics("9lives", "metrics", null, 5, null));
    assertThat(rules.originOf("collector_logs"))
        .contains(new ExternalTopicRules.Origin("ops", Signal.LOGS, "otlp_json"));
    assertThat(rules.originOf("t_shop")).contains(new ExternalTopicRules.Origin("shop", Signal.TRACES, "otlp_proto"));
    assertThat(rules.originOf("9lives")).contains(new ExternalTopicRules.Origin("t_9lives", Signal.METRICS, "otlp_proto"));
  }

  @Test
  void oneSubscriptionCoversReceiverTopicsAndPatterns() {
    ExternalTopicRules rules = rules(new OpenWitConfig.ExternalTopics("otlp\\..*", null, null, null, null));
    var subscription = rules.subscription(List.of("openwit-otlp-traces", "openwit-otlp-logs"));
    assertThat(subscription.matcher("openwit-otlp-traces").matches()).isTrue();
    assertThat(subscription.matcher("otlp.logs.acme").matches()).isTrue();
    assertThat(subscription.matcher("openwit-otlp-tracesX").matches()).isFalse();
  }
}
