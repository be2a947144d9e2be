package io.openwit.query.api;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * At most {@code query.max_concurrent_per_tenant} queries of one tenant run at a time, so one
 * tenant's burst cannot take every search thread; a query over the bound is refused at once (429)
 * rather than queued. Only tenants with a running query have an entry.
 */
final class TenantQueryLimiter {
  static final String MAX_CONCURRENT_KEY = "query.max_concurrent_per_tenant";

  private final int maxPerTenant;
  private final ConcurrentMap<String, Integer> running = new ConcurrentHashMap<>();

  TenantQueryLimiter(int maxPerTenant) {
    if (maxPerTenant < 1) {
      throw new IllegalArgumentException(MAX_CONCURRENT_KEY + " must be at least 1, got " + maxPerTenant);
    }
    this.maxPerTenant = maxPerTenant;
  }

  /** A place for one query of {@code tenant}, to close when it ends; refused when the tenant has none left. */
  Permit admit(String tenant) {
    AtomicBoolean admitted = new AtomicBoolean();
    running.compute(tenant, (name, count) -> {
      int now = count == null ? 0 : count;
      if (now >= maxPerTenant) {
        return count;
      }
      admitted.set(true);
      return now + 1;
    });
    if (!admitted.get()) {
      throw new TooManyQueriesException("tenant '" + tenant + "' already runs " + maxPerTenant
          + " queries, the most " + MAX_CONCURRENT_KEY + " allows; retry when one has finished");
    }
    return new Permit(tenant);
  }

  /** How many queries of {@code tenant} run now. */
  int running(String tenant) {
    return running.getOrDefault(tenant, 0);
  }

  private void release(String tenant) {
    running.computeIfPresent(tenant, (name, count) -> count == 1 ? null : count - 1);
  }

  /** One running query's place; closing it more than once frees it once. */
  final class Permit implements AutoCloseable {
    private final String tenant;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Permit(String tenant) {
      this.tenant = tenant;
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        release(tenant);
      }
    }
  }

  /** A query over its tenant's bound; the query API answers 429 with Retry-After. */
  static final class TooManyQueriesException extends RuntimeException {
    TooManyQueriesException(String message) {
      super(message);
    }
  }
}
