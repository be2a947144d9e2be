package io.openwit.common.auth;

import io.openwit.common.metastore.ApiKeys;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.observe.DaemonThreads;
import io.openwit.common.wire.RecordHeaders;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API key → tenant. The key hashes are loaded from the metastore and reloaded periodically, so a
 * request never waits on the database and a slow metastore never slows ingestion; keys created,
 * rotated or deleted take effect within one reload.
 */
public final class TenantResolver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TenantResolver.class);

  private final Metastore metastore;
  private final ScheduledExecutorService reloader;
  private volatile Map<String, String> tenantsByKeyHash;

  private TenantResolver(Metastore metastore, long refreshMs) {
    this.metastore = metastore;
    this.tenantsByKeyHash = metastore == null ? Map.of() : metastore.tenantsByKeyHash();
    if (metastore == null) {
      this.reloader = null;
      return;
    }
    this.reloader = DaemonThreads.scheduler("api-key-reload");
    reloader.scheduleWithFixedDelay(this::reload, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
  }

  /** Every request needs a key of a known tenant. */
  public static TenantResolver withApiKeys(Metastore metastore, long refreshMs) {
    return new TenantResolver(metastore, refreshMs);
  }

  /** Authentication off: every request belongs to the default tenant. */
  public static TenantResolver disabled() {
    return new TenantResolver(null, 0);
  }

  public boolean enabled() {
    return metastore != null;
  }

  /** The tenant of the {@code Authorization} header's value, if it carries a known key. */
  public Optional<String> tenantOf(String authorization) {
    if (!enabled()) {
      return Optional.of(RecordHeaders.DEFAULT_TENANT);
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return Optional.ofNullable(tenantsByKeyHash.get(ApiKeys.hash(authorization.substring(7).trim())));
  }

  /** Why {@link #tenantOf} found no tenant, for the 401 / UNAUTHENTICATED message. */
  public static String refusal(String authorization) {
    return authorization == null || authorization.isBlank()
        ? "missing API key: send 'Authorization: Bearer <key>'"
        : !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
            ? "the Authorization header must be 'Bearer <key>'"
            : "unknown API key";
  }

  private void reload() {
    try {
      tenantsByKeyHash = metastore.tenantsByKeyHash();
    } catch (RuntimeException e) {
      LOG.warn("could not reload API keys from the metastore; keeping the previous ones", e);
    }
  }

  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }
}
