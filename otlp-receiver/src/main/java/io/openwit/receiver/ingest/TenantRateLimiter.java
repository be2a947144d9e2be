package io.openwit.receiver.ingest;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.otlp.DecodeLimits;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-tenant items/s and bytes/s limits as token buckets holding one second of rate. A request is
 * let through while a bucket is not in debt, and its cost may push the bucket below zero, so a
 * request bigger than one second's allowance still passes and the average rate holds.
 */
public final class TenantRateLimiter {
  private volatile OpenWitConfig.Limits limits;
  private final Map<String, Buckets> buckets = new ConcurrentHashMap<>();

  public TenantRateLimiter(OpenWitConfig.Limits limits) {
    this.limits = limits;
  }

  /** New limits apply from the next request; buckets start full again. */
  public void update(OpenWitConfig.Limits newLimits) {
    limits = newLimits;
    buckets.clear();
  }

  /** The limits every request is decoded within, as openwit.yaml says now. */
  public DecodeLimits decodeLimits() {
    return DecodeLimits.of(limits);
  }

  public OpenWitConfig.TenantLimits limitsOf(String tenant) {
    return limits.of(tenant);
  }

  /** Takes {@code items} and {@code bytes} from the tenant's allowance, or refuses the request. */
  public void acquire(String tenant, long items, long bytes) {
    OpenWitConfig.TenantLimits tenantLimits = limits.of(tenant);
    if (tenantLimits.itemsPerSecond() == 0 && tenantLimits.bytesPerSecond() == 0) {
      return;
    }
    buckets.computeIfAbsent(tenant, ignored -> new Buckets(tenantLimits)).acquire(tenant, items, bytes);
  }

  private static final class Buckets {
    private final long itemsPerSecond;
    private final long bytesPerSecond;
    private double items;
    private double bytes;
    private long refilledAt = System.nanoTime();

    Buckets(OpenWitConfig.TenantLimits limits) {
      this.itemsPerSecond = limits.itemsPerSecond();
      this.bytesPerSecond = limits.bytesPerSecond();
      this.items = itemsPerSecond;
      this.bytes = bytesPerSecond;
    }

    synchronized void acquire(String tenant, long itemCost, long byteCost) {
      long now = System.nanoTime();
      double seconds = (now - refilledAt) / 1e9;
      refilledAt = now;
      items = Math.min(itemsPerSecond, items + seconds * itemsPerSecond);
      bytes = Math.min(bytesPerSecond, bytes + seconds * bytesPerSecond);
      if (itemsPerSecond > 0 && items < 0) {
        throw refusal(tenant, "items_per_second", itemsPerSecond, -items / itemsPerSecond);
      }
      if (bytesPerSecond > 0 && bytes < 0) {
        throw refusal(tenant, "bytes_per_second", bytesPerSecond, -bytes / bytesPerSecond);
      }
      items -= itemCost;
      bytes -= byteCost;
    }

    private static IngestRefusal refusal(String tenant, String limit, long rate, double secondsToRecover) {
      return new IngestRefusal(
          IngestRefusal.Reason.RATE_LIMITED,
          "tenant '" + tenant + "' is over its limit of " + rate + " " + limit.replace('_', ' ')
              + " (limits." + limit + ")",
          Math.max(1, (long) Math.ceil(secondsToRecover)));
    }
  }
}
