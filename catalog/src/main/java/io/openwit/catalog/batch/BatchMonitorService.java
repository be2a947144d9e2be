package io.openwit.catalog.batch;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServerBuilder;
import io.openwit.common.http.ApiResponses;
import io.openwit.common.metastore.BatchRecord;
import io.openwit.common.metastore.BatchStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The batch-monitor API: {@code /api/batch-monitor/status}, {@code /batches/{id}},
 * {@code /batches?status=&min_age_minutes=&tenant=&limit=}, {@code /alerts} and
 * {@code POST /batches/{id}/replay}.
 */
public final class BatchMonitorService {
  private static final String PREFIX = "/api/batch-monitor";
  private static final long STATUS_WINDOW_MS = 300_000;
  private static final int MAX_LIMIT = 10_000;

  private final BatchStore batches;
  private final BatchReplayer replayer;
  private final long stuckAfterMs;

  public BatchMonitorService(BatchStore batches, BatchReplayer replayer, long stuckAfterMs) {
    this.batches = batches;
    this.replayer = replayer;
    this.stuckAfterMs = stuckAfterMs;
  }

  public void addTo(ServerBuilder server) {
    server.route().get(PREFIX + "/status").build((ctx, request) -> ApiResponses.blocking(ctx, this::status));
    server.route().get(PREFIX + "/alerts").build((ctx, request) -> ApiResponses.blocking(ctx, this::alerts));
    server.route().get(PREFIX + "/batches")
        .build((ctx, request) -> ApiResponses.blocking(ctx, () -> list(ctx.queryParams())));
    server.route().get(PREFIX + "/batches/{id}")
        .build((ctx, request) -> ApiResponses.blocking(ctx, () -> show(ctx.pathParam("id"))));
    // reading a batch back from Kafka may take longer than the default request timeout
    server.route().methods(HttpMethod.POST).path(PREFIX + "/batches/{id}/replay").requestTimeout(Duration.ofMinutes(2))
        .build((ctx, request) -> ApiResponses.blocking(ctx, () -> replay(ctx.pathParam("id"))));
  }

  private HttpResponse status() {
    long now = System.currentTimeMillis();
    BatchStore.Status status = batches.status(now, STATUS_WINDOW_MS);
    Map<String, Long> stages = new LinkedHashMap<>();
    BatchStore.STAGES.forEach(stage -> stages.put(stage, 0L));
    long total = 0;
    long pending = 0;
    long failed = 0;
    long lost = 0;
    long walBatches = 0;
    long walItems = 0;
    long walBytes = 0;
    long storedBatches = 0;
    long storedItems = 0;
    for (BatchStore.Counts counts : status.tenants().values()) {
      counts.stages().forEach((stage, count) -> stages.merge(stage, count, Long::sum));
      total += counts.total();
      pending += counts.pending();
      failed += counts.failed();
      lost += counts.lost();
      walBatches += counts.flow().walBatches();
      walItems += counts.flow().walItems();
      walBytes += counts.flow().walBytes();
      storedBatches += counts.flow().storedBatches();
      storedItems += counts.flow().storedItems();
    }
    double seconds = STATUS_WINDOW_MS / 1000.0;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("total", total);
    body.put("stages", stages);
    body.put("pending", pending);
    body.put("failed", failed);
    body.put("lost", lost);
    body.put("stuck", batches.countPending(now - stuckAfterMs));
    Map<String, Object> throughput = new LinkedHashMap<>();
    throughput.put("window_seconds", (long) seconds);
    throughput.put("wal_written_batches_per_second", walBatches / seconds);
    throughput.put("wal_written_items_per_second", walItems / seconds);
    throughput.put("wal_written_bytes_per_second", walBytes / seconds);
    throughput.put("stored_batches_per_second", storedBatches / seconds);
    throughput.put("stored_items_per_second", storedItems / seconds);
    body.put("throughput", throughput);
    body.put("tenants", status.tenants());
    return ApiResponses.ok(body);
  }

  /** Batches not completed within the configured age, batches a stage failed for, and lost batches. */
  private HttpResponse alerts() {
    long now = System.currentTimeMillis();
    Map<String, Map<String, Object>> alerts = new LinkedHashMap<>();
    for (BatchRecord batch : batches.list("pending", null, now - stuckAfterMs, MAX_LIMIT)) {
      alerts.put(batch.batchId(), alert(batch, now));
    }
    for (BatchRecord batch : batches.list("failed", null, now, MAX_LIMIT)) {
      if (!batch.isCompleted()) {
        alerts.putIfAbsent(batch.batchId(), alert(batch, now));
      }
    }
    for (BatchRecord batch : batches.list("lost", null, now, MAX_LIMIT)) {
      alerts.putIfAbsent(batch.batchId(), alert(batch, now));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("stuck_after_seconds", stuckAfterMs / 1000.0);
    body.put("alerts", new ArrayList<>(alerts.values()));
    return ApiResponses.ok(body);
  }

  private static Map<String, Object> alert(BatchRecord batch, long now) {
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("kind", batch.lostAt() != null ? "lost" : batch.errorStage() != null ? "failed" : "stuck");
    alert.put("batch_id", batch.batchId());
    alert.put("tenant", batch.tenant());
    alert.put("signal", batch.signal());
    alert.put("stage", batch.stage());
    alert.put("waiting_for", nextStage(batch.stage()));
    alert.put("age_seconds", (now - batch.firstSeenAt()) / 1000.0);
    alert.put("first_seen_at", batch.firstSeenAt());
    if (batch.lostAt() != null) {
      alert.put("lost_at", batch.lostAt());
    }
    if (batch.errorStage() != null) {
      alert.put("error_stage", batch.errorStage());
      alert.put("error_message", batch.errorMessage());
    }
    return alert;
  }

  /** The stage a batch waits for; indexing is skipped until an index builder reports it. */
  private static String nextStage(String stage) {
    int index = BatchStore.STAGES.indexOf(stage);
    if (index < 0) {
      return "wal_written";
    }
    String next = index + 1 < BatchStore.STAGES.size() ? BatchStore.STAGES.get(index + 1) : "nothing";
    return next.equals("indexed") ? "completed" : next;
  }

  private HttpResponse list(QueryParams params) {
    String status = params.get("status", "pending");
    double minAgeMinutes;
    int limit;
    try {
      minAgeMinutes = Double.parseDouble(params.get("min_age_minutes", "0"));
      limit = Integer.parseInt(params.get("limit", "100"));
    } catch (NumberFormatException e) {
      return ApiResponses.error(HttpStatus.BAD_REQUEST,
          "min_age_minutes must be a number and limit an integer: " + e.getMessage());
    }
    if (limit < 1 || limit > MAX_LIMIT || minAgeMinutes < 0) {
      return ApiResponses.error(HttpStatus.BAD_REQUEST,
          "limit must be 1 to " + MAX_LIMIT + " and min_age_minutes 0 or more");
    }
    long seenBefore = System.currentTimeMillis() - (long) (minAgeMinutes * 60_000);
    try {
      List<BatchRecord> found = batches.list(status, params.get("tenant"), seenBefore, limit);
      return ApiResponses.ok(Map.of("batches", found, "count", found.size()));
    } catch (IllegalArgumentException e) {
      return ApiResponses.error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
  }

  private HttpResponse show(String batchId) {
    Optional<BatchRecord> batch = batches.find(batchId);
    return batch.map(ApiResponses::ok)
        .orElseGet(() -> ApiResponses.error(HttpStatus.NOT_FOUND, "no batch '" + batchId + "'"));
  }

  private HttpResponse replay(String batchId) {
    Optional<BatchRecord> batch = batches.find(batchId);
    if (batch.isEmpty()) {
      return ApiResponses.error(HttpStatus.NOT_FOUND, "no batch '" + batchId + "'");
    }
    try {
      return ApiResponses.ok(replayer.replay(batch.get()));
    } catch (BatchReplayer.ReplayRefused e) {
      return ApiResponses.error(e.gone() ? HttpStatus.GONE : HttpStatus.CONFLICT, e.getMessage());
    }
  }
}
