package io.openwit.catalog.cluster;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.openwit.catalog.maintenance.Janitor;
import io.openwit.catalog.maintenance.MaintenanceReport;
import io.openwit.common.http.ApiResponses;
import io.openwit.common.metastore.ControlPlane;
import io.openwit.common.metastore.MetastoreException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's API: {@code GET /api/cluster/nodes} (every process and its health, and who
 * holds the janitor lease), {@code POST /api/maintenance/run} and {@code GET /api/maintenance/last}.
 */
public final class ClusterService {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterService.class);
  private final ControlPlane controlPlane;
  private final Janitor janitor;
  private final long downAfterMs;

  public ClusterService(ControlPlane controlPlane, Janitor janitor, long downAfterMs) {
    this.controlPlane = controlPlane;
    this.janitor = janitor;
    this.downAfterMs = downAfterMs;
  }

  public void addTo(ServerBuilder server) {
    server.route().get("/api/cluster/nodes").build((ctx, request) -> ApiResponses.blocking(ctx, this::nodes));
    // a run over large tables takes minutes: no request timeout, and no request thread waits for it
    server.route().methods(HttpMethod.POST).path("/api/maintenance/run").requestTimeout(Duration.ZERO)
        .build((ctx, request) -> HttpResponse.of(janitor.runAsync()
            .handle((report, failure) -> failure == null ? answer(report) : failed(ctx, failure))));
    server.route().get("/api/maintenance/last").build((ctx, request) -> janitor.lastReport()
        .map(ApiResponses::ok)
        .orElseGet(() -> ApiResponses.error(HttpStatus.NOT_FOUND, "this janitor has not run maintenance yet")));
  }

  private HttpResponse nodes() {
    long now = System.currentTimeMillis();
    List<ControlPlane.Node> nodes = controlPlane.nodes(now, downAfterMs);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("nodes", nodes);
    body.put("janitor_leader", controlPlane.holder(Janitor.LEASE, now).orElse(null));
    return ApiResponses.ok(body);
  }

  private static HttpResponse answer(MaintenanceReport report) {
    return ApiResponses.json(report.ran() ? HttpStatus.OK : HttpStatus.CONFLICT, report);
  }

  /** 503 when the metastore (and so the lease) did not answer, 500 for any other failure. */
  private static HttpResponse failed(ServiceRequestContext ctx, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    LOG.warn("{} {} failed", ctx.method(), ctx.path(), cause);
    return cause instanceof MetastoreException
        ? ApiResponses.error(HttpStatus.SERVICE_UNAVAILABLE, "the metastore did not answer: " + cause.getMessage())
        : ApiResponses.error(HttpStatus.INTERNAL_SERVER_ERROR, "maintenance failed: " + cause);
  }
}
