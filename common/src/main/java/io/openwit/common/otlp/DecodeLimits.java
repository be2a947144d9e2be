package io.openwit.common.otlp;

import io.openwit.common.config.OpenWitConfig;

/**
 * What one export request may hold, checked while it is scanned and before anything of it is
 * built: spans, log records or metric points ({@code maxItems}); attributes of one item, resource,
 * scope, event, link or exemplar ({@code maxAttributes}); the length of an attribute's string or
 * bytes value ({@code maxAttributeValueBytes}); arrays and key-value lists nested inside one value
 * ({@code maxNestingDepth}).
 */
public record DecodeLimits(long maxItems, int maxAttributes, int maxAttributeValueBytes, int maxNestingDepth) {
  public static DecodeLimits of(OpenWitConfig.Limits limits) {
    return new DecodeLimits(limits.maxItemsPerRequest(), limits.maxAttributes(), limits.maxAttributeValueBytes(),
        limits.maxNestingDepth());
  }
}
