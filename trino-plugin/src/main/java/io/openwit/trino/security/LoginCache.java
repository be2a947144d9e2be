package io.openwit.trino.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Logins the query API confirmed in the last {@code ttl}, so a client's every HTTP request (each
 * page of each result) does not ask it again. Keyed by user and the key's SHA-256, never the key
 * itself; a revoked key stops working within {@code ttl}.
 */
final class LoginCache {
  private record Login(String user, String keyHash) {}

  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final Map<Login, Long> expiries = new ConcurrentHashMap<>();

  LoginCache(Duration ttl, LongSupplier nanoTime) {
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
  }

  boolean contains(String user, String key) {
    Long expiry = expiries.get(new Login(user, sha256(key)));
    return expiry != null && expiry - nanoTime.getAsLong() > 0;
  }

  void add(String user, String key) {
    long now = nanoTime.getAsLong();
    // dropping the expired entries here keeps the map as small as the keys in use
    expiries.values().removeIf(expiry -> expiry - now <= 0);
    expiries.put(new Login(user, sha256(key)), now + ttlNanos);
  }

  private static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
