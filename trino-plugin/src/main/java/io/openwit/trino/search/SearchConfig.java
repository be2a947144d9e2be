package io.openwit.trino.search;

import java.net.URI;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A catalog's properties: {@code openwit.query-api-uri} (the query API, such as
 * http://127.0.0.1:8083), {@code openwit.service-key} (OpenWit's service key, with which the
 * catalog searches the tenant named by each query's session user; absent when the query API runs
 * without authentication) and {@code openwit.page-rows} (rows asked per answer while paging through
 * the matches; at most the API's 10,000).
 */
record SearchConfig(URI queryApi, Optional<String> serviceKey, int pageRows) {
  static final String QUERY_API_URI = "openwit.query-api-uri";
  static final String SERVICE_KEY = "openwit.service-key";
  static final String PAGE_ROWS = "openwit.page-rows";
  /** The most rows the query API returns in one answer. */
  static final int MAX_PAGE_ROWS = 10_000;

  static SearchConfig of(Map<String, String> properties) {
    Set<String> unknown = new HashSet<>(properties.keySet());
    unknown.removeAll(Set.of(QUERY_API_URI, SERVICE_KEY, PAGE_ROWS));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown openwit_search catalog properties " + unknown + "; known are "
          + QUERY_API_URI + ", " + SERVICE_KEY + " and " + PAGE_ROWS
          // catalogs made for one tenant's key before searches followed the session user
          + (unknown.contains("openwit.api-key") ? " (openwit.api-key is gone: every search is the session user's"
              + " tenant's, so drop this catalog and use the 'search' catalog)" : ""));
    }
    String uri = properties.get(QUERY_API_URI);
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException(QUERY_API_URI + " is required, such as http://127.0.0.1:8083");
    }
    String key = properties.get(SERVICE_KEY);
    int pageRows;
    try {
      pageRows = Integer.parseInt(properties.getOrDefault(PAGE_ROWS, Integer.toString(MAX_PAGE_ROWS)).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PAGE_ROWS + " must be an integer, got '" + properties.get(PAGE_ROWS) + "'");
    }
    if (pageRows < 1 || pageRows > MAX_PAGE_ROWS) {
      throw new IllegalArgumentException(PAGE_ROWS + " must be between 1 and " + MAX_PAGE_ROWS + ", got " + pageRows);
    }
    return new SearchConfig(URI.create(uri.strip()), Optional.ofNullable(key).filter(value -> !value.isBlank()),
        pageRows);
  }

  /** Never the service key. */
  @Override
  public String toString() {
    return "SearchConfig[queryApi=" + queryApi + ", serviceKey=" + (serviceKey.isPresent() ? "***" : "none")
        + ", pageRows=" + pageRows + "]";
  }
}
