package io.openwit.common.metastore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * API keys: {@code owk_<id>_<secret>}, 128 random bits of secret. Only the SHA-256 of a key is
 * stored; a slow hash buys nothing for random keys of this length.
 */
public final class ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();
  private static final Pattern TENANT_ID = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private ApiKeys() {}

  /** A new key; {@code id} is its public part, safe to show in lists and logs. */
  public record NewKey(String id, String key) {}

  public static NewKey generate() {
    byte[] id = new byte[4];
    byte[] secret = new byte[16];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    String keyId = "owk_" + HEX.formatHex(id);
    return new NewKey(keyId, keyId + "_" + HEX.formatHex(secret));
  }

  public static String hash(String key) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** The Trino user of admin keys. */
  public static final String ADMIN_USER = "admin";
  /** The Trino user of the service key. */
  public static final String SERVICE_USER = "openwit";
  /**
   * Names a tenant may not have: the Trino users of admin and service keys (such a tenant could
   * never log in), and the schemas Trino and Iceberg keep for themselves.
   */
  private static final Set<String> RESERVED = Set.of(ADMIN_USER, SERVICE_USER, "system", "information_schema");

  /** Tenant ids name Iceberg namespaces and Trino schemas (and users), so they stay lowercase identifiers. */
  public static void checkTenantId(String tenant) {
    if (!TENANT_ID.matcher(tenant).matches()) {
      throw new IllegalArgumentException(
          "tenant id '" + tenant + "' must be a lowercase letter then up to 62 lowercase letters, digits or _");
    }
    if (RESERVED.contains(tenant)) {
      throw new IllegalArgumentException("tenant id '" + tenant + "' is reserved for Trino's own users and schemas");
    }
  }
}
