package io.openwit.cli;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.ApiKeys;
import io.openwit.common.metastore.Metastore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code openwit tenants}: the tenant registry and its API keys, straight in the metastore named by
 * openwit.yaml. Every door picks changes up within {@code auth.key_refresh_ms}; a new
 * tenant's tables are created when its first data arrives.
 */
@Command(
    name = "tenants",
    mixinStandardHelpOptions = true,
    description = "Manage tenants and their API keys.",
    subcommands = {Tenants.Create.class, Tenants.ListTenants.class, Tenants.RotateKey.class, Tenants.Delete.class})
final class Tenants {

  abstract static class MetastoreCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "openwit.yaml (default: ./openwit.yaml if present)")
    Path config;

    @Spec
    CommandSpec spec;

    Metastore metastore() {
      OpenWitConfig configuration = OpenWit.loadConfig(config, null);
      Metastore metastore = Metastore.of(configuration);
      metastore.migrate();
      return metastore;
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    void printKey(String tenant, ApiKeys.NewKey key) {
      out().println("tenant:  " + tenant);
      out().println("key id:  " + key.id());
      out().println("api key: " + key.key());
      out().println("Keep the key now: OpenWit stores only its hash. Send it as 'Authorization: Bearer <key>'.");
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant and its first API key.")
  static final class Create extends MetastoreCommand {
    @Parameters(paramLabel = "TENANT", description = "lowercase id; it names the tenant's schema in Trino")
    String tenant;

    @Override
    public Integer call() {
      printKey(tenant, metastore().createTenant(tenant));
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List tenants and their key ids.")
  static final class ListTenants extends MetastoreCommand {
    @Override
    public Integer call() {
      out().printf("%-24s %s%n", "TENANT", "KEY IDS");
      for (Metastore.Tenant tenant : metastore().tenantsWithKeys()) {
        out().printf("%-24s %s%n", tenant.id(), tenant.keyIds().isEmpty() ? "-" : String.join(",", tenant.keyIds()));
      }
      return 0;
    }
  }

  @Command(name = "rotate-key", mixinStandardHelpOptions = true,
      description = "Replace a tenant's API keys with a new one; the old keys stop working.")
  static final class RotateKey extends MetastoreCommand {
    @Parameters(paramLabel = "TENANT")
    String tenant;

    @Override
    public Integer call() {
      printKey(tenant, metastore().rotateKey(tenant));
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a tenant and its keys; its tables stay until dropped with SQL.")
  static final class Delete extends MetastoreCommand {
    @Parameters(paramLabel = "TENANT")
    String tenant;

    @Override
    public Integer call() {
      metastore().deleteTenant(tenant);
      out().println("deleted tenant " + tenant + " and its API keys");
      return 0;
    }
  }
}
