package io.openwit.pipeline.source;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a record on an external topic (no OpenWit headers, e.g. from the Collector's kafka
 * exporter) is: its tenant, signal and encoding, read from ingestion.kafka.external_topics and the
 * topic name.
 */
public final class ExternalTopicRules implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Where a record of one external topic belongs. */
  public record Origin(String tenant, Signal signal, String encoding) {}

  private record Rule(Pattern pattern, String signal, String encoding, int indexPosition, String tenant)
      implements Serializable {}

  private final List<Rule> rules;
  private final Pattern separators;

  public ExternalTopicRules(OpenWitConfig.Kafka kafka) {
    int defaultPosition = kafka.topicIndexConfig().defaultIndexPosition();
    this.rules = kafka.externalTopics().stream()
        .map(topics -> new Rule(Pattern.compile(topics.pattern()), topics.signal(), topics.encoding(),
            topics.indexPosition() == null ? defaultPosition : topics.indexPosition(), topics.tenant()))
        .toList();
    this.separators = Pattern.compile("[" + Pattern.quote(kafka.topicIndexConfig().separators()) + "]");
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** One regular expression for the source: the receiver's topics or any external pattern. */
  public Pattern subscription(List<String> receiverTopics) {
    StringBuilder alternatives = new StringBuilder();
    for (String topic : receiverTopics) {
      alternatives.append(alternatives.isEmpty() ? "" : "|").append(Pattern.quote(topic));
    }
    for (Rule rule : rules) {
      alternatives.append('|').append("(?:").append(rule.pattern().pattern()).append(')');
    }
    return Pattern.compile(alternatives.toString());
  }

  /** The first rule matching {@code topic} decides; empty when none matches or no signal can be told. */
  public Optional<Origin> originOf(String topic) {
    for (Rule rule : rules) {
      if (!rule.pattern().matcher(topic).matches()) {
        continue;
      }
      String[] tokens = separators.split(topic);
      Optional<Signal> signal = rule.signal().isEmpty() ? signalFromTokens(tokens)
          : Optional.of(Signal.fromHeaderValue(rule.signal()));
      String tenant = !rule.tenant().isEmpty() ? rule.tenant()
          : tokens.length > rule.indexPosition() ? tokens[rule.indexPosition()] : topic;
      return signal.map(value -> new Origin(tenantId(tenant), value, rule.encoding()));
    }
    return Optional.empty();
  }

  private static Optional<Signal> signalFromTokens(String[] tokens) {
    for (String token : tokens) {
      switch (token.toLowerCase(Locale.ROOT)) {
        case "spans", "traces" -> {
          return Optional.of(Signal.TRACES);
        }
        case "logs" -> {
          return Optional.of(Signal.LOGS);
        }
        case "metrics" -> {
          return Optional.of(Signal.METRICS);
        }
        default -> { }
      }
    }
    return Optional.empty();
  }

  /** A tenant id from free text: lowercase, [a-z0-9_], starting with a letter. */
  static String tenantId(String text) {
    String id = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (id.isEmpty()) {
      return RecordHeaders.DEFAULT_TENANT;
    }
    id = Character.isLetter(id.charAt(0)) ? id : "t_" + id;
    return id.length() > 63 ? id.substring(0, 63) : id;
  }
}
