package io.openwit.cli;

import io.openwit.common.metastore.ApiKeys;
import io.openwit.common.metastore.Metastore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code openwit admin-keys}: keys that see every tenant, run maintenance and replays and log in to
 * Trino as user {@code admin}; straight in the metastore, like {@link Tenants}. Doors pick changes
 * up within {@code auth.key_refresh_ms}.
 */
@Command(
    name = "admin-keys",
    mixinStandardHelpOptions = true,
    description = "Manage admin keys (every tenant, the operator APIs, Trino user 'admin').",
    subcommands = {AdminKeys.Create.class, AdminKeys.ListKeys.class, AdminKeys.Revoke.class})
final class AdminKeys {

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an admin key.")
  static final class Create extends Tenants.MetastoreCommand {
    @Override
    public Integer call() {
      ApiKeys.NewKey key = metastore().createAdminKey();
      out().println("key id:  " + key.id());
      out().println("api key: " + key.key());
      out().println("Keep the key now: OpenWit stores only its hash. Send it as 'Authorization: Bearer <key>',"
          + " or log in to Trino as user 'admin' with it as the password.");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List admin key ids.")
  static final class ListKeys extends Tenants.MetastoreCommand {
    @Override
    public Integer call() {
      out().printf("%-16s %s%n", "KEY ID", "CREATED");
      for (Metastore.AdminKey key : metastore().adminKeys()) {
        out().printf("%-16s %s%n", key.id(), key.createdAt());
      }
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an admin key by its id.")
  static final class Revoke extends Tenants.MetastoreCommand {
    @Parameters(paramLabel = "KEY_ID", description = "as admin-keys list shows it, e.g. owk_1a2b3c4d")
    String keyId;

    @Override
    public Integer call() {
      metastore().revokeAdminKey(keyId);
      out().println("revoked admin key " + keyId);
      return 0;
    }
  }
}
