package io.openwit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code openwit batches}, {@code openwit nodes} and {@code openwit maintenance}: the control plane's API. */
final class ControlPlaneCommands {
  private ControlPlaneCommands() {}

  @Command(name = "batches", mixinStandardHelpOptions = true,
      description = "Follow batches through created, wal_written, ingested, stored, indexed, completed.",
      subcommands = {Status.class, ListBatches.class, Show.class, Alerts.class, Replay.class})
  static final class Batches {}

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Batch counts per stage and tenant, the flow of the last five minutes, and how many records"
          + " the dead-letter topic holds (read from Kafka as openwit.yaml configures it); warns when a WAL"
          + " topic's oldest unprocessed record is older than half of ingestion.kafka.wal_retention_ms, and when"
          + " batches were lost (their WAL records deleted before the pipeline read them).")
  static final class Status extends CatalogApi implements Callable<Integer> {
    @Override
    public Integer call() {
      Answer status = get("/api/batch-monitor/status");
      if (status.ok() && status.body() instanceof ObjectNode fields) {
        fields.set("dead_letters", DeadLetters.count(OpenWit.loadConfig(config, null).ingestion().kafka()));
      }
      int exitCode = printJson(status);
      warnAboutLostBatches(status);
      warnAboutWalRetention(get("/api/batch-monitor/wal"));
      return exitCode;
    }

    /** On stderr, so the JSON on stdout stays parseable. */
    private void warnAboutLostBatches(Answer status) {
      long lost = status.body().path("lost").asLong();
      if (status.ok() && lost > 0) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf("openwit: WARNING: %d batches LOST: Kafka deleted their WAL records before the pipeline read them"
            + " (openwit batches list --status lost)%n", lost);
        err.flush();
      }
    }

    /** On stderr, so the JSON on stdout stays parseable. */
    private void warnAboutWalRetention(Answer wal) {
      PrintWriter err = spec.commandLine().getErr();
      if (!wal.ok()) {
        err.println("openwit: WAL lag unknown: "
            + wal.body().path("error").path("message").asText(wal.body().toString()));
      }
      double retentionHours = wal.body().path("wal_retention_ms").asLong() / 3_600_000.0;
      for (JsonNode topic : wal.body().path("topics")) {
        if (topic.path("at_risk").asBoolean()) {
          err.printf("openwit: WARNING: topic %s holds %d records the pipeline has not processed, the oldest %.1f h"
                  + " old: more than half of ingestion.kafka.wal_retention_ms (%.1f h), after which Kafka deletes"
                  + " them unread%n", topic.path("topic").asText(), topic.path("lag_records").asLong(),
              topic.path("oldest_unprocessed_age_seconds").asDouble() / 3600, retentionHours);
        }
      }
      err.flush();
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Batches by status, oldest first.")
  static final class ListBatches extends CatalogApi implements Callable<Integer> {
    @Option(names = "--status", defaultValue = "pending",
        description = "pending, failed, lost, all, or the furthest stage reached (default: ${DEFAULT-VALUE})")
    String status;

    @Option(names = "--min-age-minutes", defaultValue = "0", description = "only batches at least this old")
    double minAgeMinutes;

    @Option(names = "--tenant", description = "only this tenant's batches")
    String tenant;

    @Option(names = "--limit", defaultValue = "100")
    int limit;

    @Override
    public Integer call() {
      String query = "?status=" + encode(status) + "&min_age_minutes=" + minAgeMinutes + "&limit=" + limit
          + (tenant == null ? "" : "&tenant=" + encode(tenant));
      return printTable(get("/api/batch-monitor/batches" + query), "batches",
          List.of("BATCH", "TENANT", "SIGNAL", "STAGE", "ITEMS", "FIRST SEEN", "ERROR"),
          batch -> List.of(text(batch, "batch_id"), text(batch, "tenant"), text(batch, "signal"),
              text(batch, "stage"), text(batch, "message_count"), text(batch, "first_seen_at"),
              text(batch, "error_message")));
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Every stage and time of one batch.")
  static final class Show extends CatalogApi implements Callable<Integer> {
    @Parameters(paramLabel = "BATCH_ID")
    String batchId;

    @Override
    public Integer call() {
      return printJson(get("/api/batch-monitor/batches/" + encode(batchId)));
    }
  }

  @Command(name = "alerts", mixinStandardHelpOptions = true,
      description = "Batches not completed within batch_tracking.stuck_after_ms, failed ones, and lost ones.")
  static final class Alerts extends CatalogApi implements Callable<Integer> {
    @Override
    public Integer call() {
      return printTable(get("/api/batch-monitor/alerts"), "alerts",
          List.of("KIND", "BATCH", "TENANT", "SIGNAL", "STAGE", "WAITING FOR", "AGE (s)", "ERROR"),
          alert -> List.of(text(alert, "kind"), text(alert, "batch_id"), text(alert, "tenant"),
              text(alert, "signal"), text(alert, "stage"), text(alert, "waiting_for"), text(alert, "age_seconds"),
              text(alert, "error_message")));
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = "Write a stuck batch's records again from its Kafka offsets; the pipeline stores them once.")
  static final class Replay extends CatalogApi implements Callable<Integer> {
    @Parameters(paramLabel = "BATCH_ID")
    String batchId;

    @Override
    public Integer call() {
      return printJson(post("/api/batch-monitor/batches/" + encode(batchId) + "/replay"));
    }
  }

  @Command(name = "nodes", mixinStandardHelpOptions = true,
      description = "Every OpenWit process: role, address, version, start, last heartbeat, health.")
  static final class Nodes extends CatalogApi implements Callable<Integer> {
    @Override
    public Integer call() {
      return printTable(get("/api/cluster/nodes"), "nodes",
          List.of("ROLE", "ADDRESS", "VERSION", "STARTED", "LAST HEARTBEAT", "HEALTH"),
          node -> List.of(text(node, "role"), text(node, "address"), text(node, "version"),
              text(node, "started_at"), text(node, "last_heartbeat"), text(node, "health")));
    }
  }

  @Command(name = "maintenance", mixinStandardHelpOptions = true,
      description = "Table maintenance: compaction, snapshot expiration, orphan removal, retention.",
      subcommands = {RunMaintenance.class})
  static final class Maintenance {}

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Maintain every table now and print what was done (the janitor lease holder runs it).")
  static final class RunMaintenance extends CatalogApi implements Callable<Integer> {
    @Override
    public Integer call() {
      return printJson(post("/api/maintenance/run"));
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
