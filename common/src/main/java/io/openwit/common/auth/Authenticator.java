package io.openwit.common.auth;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.ApiKeys;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.observe.DaemonThreads;
import io.openwit.common.wire.RecordHeaders;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer key → {@link Principal}. Key hashes are loaded from the metastore and reloaded every
 * {@code auth.key_refresh_ms}, so a request never waits on the database and a slow metastore never
 * slows a door; keys created, rotated or revoked take effect within one reload. With
 * authentication off every caller is {@link Principal#open()}.
 */
public final class Authenticator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);

  /** The key hashes of one reload. */
  private record Keys(Map<String, String> tenantsByHash, Set<String> adminHashes) {}

  private final Metastore metastore;
  private final String serviceKeyHash;
  private final ScheduledExecutorService reloader;
  private volatile Keys keys;

  private Authenticator(Metastore metastore, String serviceKey, long refreshMs) {
    this.metastore = metastore;
    this.serviceKeyHash = serviceKey == null ? null : ApiKeys.hash(serviceKey);
    if (metastore == null) {
      this.keys = new Keys(Map.of(), Set.of());
      this.reloader = null;
      return;
    }
    this.keys = load(metastore);
    this.reloader = DaemonThreads.scheduler("api-key-reload");
    reloader.scheduleWithFixedDelay(this::reload, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
  }

  /** As {@code config} says: keys from {@code metastore} (already migrated) when auth is on, else open. */
  public static Authenticator of(OpenWitConfig config, Metastore metastore) {
    if (!config.auth().enabled()) {
      return open();
    }
    return new Authenticator(metastore, ServiceCredential.resolve(config), config.auth().keyRefreshMs());
  }

  /** Authentication off: everyone is {@link Principal#open()}. */
  public static Authenticator open() {
    return new Authenticator(null, null, 0);
  }

  public boolean enabled() {
    return metastore != null;
  }

  /** Who sends the {@code Authorization} header's value, if it carries a known key. */
  public Optional<Principal> authenticate(String authorization) {
    if (!enabled()) {
      return Optional.of(Principal.open());
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String hash = ApiKeys.hash(authorization.substring(7).strip());
    Keys current = keys;
    String tenant = current.tenantsByHash().get(hash);
    if (tenant != null) {
      return Optional.of(Principal.tenant(tenant));
    }
    if (current.adminHashes().contains(hash)) {
      return Optional.of(Principal.admin());
    }
    return hash.equals(serviceKeyHash) ? Optional.of(Principal.service()) : Optional.empty();
  }

  /**
   * The tenant that writes with this header's key (ingestion): a tenant key's own, {@code default}
   * when authentication is off; admin and service keys name no tenant to write into.
   */
  public Optional<String> tenantOf(String authorization) {
    return authenticate(authorization)
        .filter(principal -> principal.kind() == Principal.Kind.TENANT || principal.kind() == Principal.Kind.OPEN)
        .map(principal -> principal.kind() == Principal.Kind.OPEN ? RecordHeaders.DEFAULT_TENANT : principal.tenant());
  }

  /** Why {@link #tenantOf} found no tenant, for the 401 / UNAUTHENTICATED message. */
  public String refusal(String authorization) {
    return authenticate(authorization).isPresent()
        ? "an admin or service key writes into no tenant: send a tenant's API key"
        : missingOrUnknown(authorization);
  }

  /** Why a header carries no known key. */
  static String missingOrUnknown(String authorization) {
    return authorization == null || authorization.isBlank()
        ? "missing API key: send 'Authorization: Bearer <key>'"
        : !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
            ? "the Authorization header must be 'Bearer <key>'"
            : "unknown API key";
  }

  private static Keys load(Metastore metastore) {
    return new Keys(Map.copyOf(metastore.tenantsByKeyHash()), Set.copyOf(metastore.adminKeyHashes()));
  }

  private void reload() {
    try {
      keys = load(metastore);
    } catch (RuntimeException e) {
      LOG.warn("could not reload API keys from the metastore; keeping the previous ones", e);
    }
  }

  @Override
  public void close() {
    if (reloader == null) {
      return;
    }
    reloader.shutdownNow();
    // A reload still reading the metastore when we return would race whoever removes it next.
    try {
      if (!reloader.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("an API key reload did not stop within 10 s of close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
