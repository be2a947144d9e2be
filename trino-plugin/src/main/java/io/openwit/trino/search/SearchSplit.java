package io.openwit.trino.search;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.trino.spi.connector.ConnectorSplit;
import java.util.Map;

/** The one split of a search: the query API pages through the matches in order, so they are read by one task. */
public record SearchSplit(@JsonProperty("request") SearchRequest request) implements ConnectorSplit {
  @Override
  public Map<String, String> getSplitInfo() {
    return Map.of("signal", request.signal(), "query", request.query());
  }
}
