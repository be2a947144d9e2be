package io.openwit.trino.search;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.trino.spi.function.table.ConnectorTableFunctionHandle;

/**
 * One search as a table function call asked for it: the session user (a tenant's name, whose data
 * the search reads when the catalog has a service key), the signal (logs or traces), the query
 * string, the time range in epoch milliseconds (start inclusive, end exclusive, null when open) and
 * the most rows to return (null: all matches).
 */
public record SearchRequest(
    @JsonProperty("user") String user,
    @JsonProperty("signal") String signal,
    @JsonProperty("query") String query,
    @JsonProperty("startMs") Long startMs,
    @JsonProperty("endMs") Long endMs,
    @JsonProperty("maxHits") Long maxHits) implements ConnectorTableFunctionHandle {}
