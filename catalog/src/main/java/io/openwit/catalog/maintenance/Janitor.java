package io.openwit.catalog.maintenance;

import io.micrometer.core.instrument.MeterRegistry;
import io.openwit.catalog.WarehouseLocations;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.BatchStore;
import io.openwit.common.metastore.ControlPlane;
import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.metastore.MetastoreException;
import io.openwit.common.observe.DaemonThreads;
import io.openwit.common.observe.ProcessMetrics;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The singleton housekeeper. Only the holder of the metastore lease {@code janitor} works, so
 * several catalog processes can run one each: every tick it completes stored batches and forgets
 * old ones; every maintenance interval (or on demand) it maintains every tenant's tables. It keeps
 * the lease while alive and renews it between tables.
 *
 * <p>Maintenance has threads of its own, never the catalog's request threads: one run at a time on
 * the run thread, its tables on {@code maintenance.threads} low-priority workers, so a long
 * compaction neither holds a request thread nor delays the ticks.
 */
public final class Janitor implements AutoCloseable {
  public static final String LEASE = "janitor";
  private static final Logger LOG = LoggerFactory.getLogger(Janitor.class);
  private static final long FORGET_NODES_AFTER_MS = 86_400_000L;

  private final Catalog catalog;
  private final SupportsNamespaces namespaces;
  private final BatchStore batches;
  private final ControlPlane controlPlane;
  private final IndexRegistry indexes;
  private final OpenWitConfig config;
  private final WarehouseLocations warehouse;
  private final String holder;
  private final ScheduledExecutorService worker;
  private final ScheduledExecutorService leaseKeeper;
  private final ExecutorService runner;
  private final ExecutorService tableWorkers;
  private final AtomicReference<MaintenanceReport> lastReport = new AtomicReference<>();
  private final AtomicLong lastRunAt = new AtomicLong();
  private final MeterRegistry metrics = ProcessMetrics.registry();
  private final Object runs = new Object();
  /** A run asked for but not started yet, which later requests join; guarded by {@link #runs}. */
  private CompletableFuture<MaintenanceReport> queuedRun;
  private volatile long nextMaintenanceAt;

  public Janitor(Catalog catalog, SupportsNamespaces namespaces, BatchStore batches, ControlPlane controlPlane,
      IndexRegistry indexes, OpenWitConfig config, String holder) {
    this.catalog = catalog;
    this.namespaces = namespaces;
    this.batches = batches;
    this.controlPlane = controlPlane;
    this.indexes = indexes;
    this.config = config;
    this.warehouse = new WarehouseLocations(config.warehouseLocation());
    this.holder = holder;
    this.worker = DaemonThreads.scheduler("openwit-janitor");
    this.leaseKeeper = DaemonThreads.scheduler("openwit-janitor-lease");
    this.runner = maintenanceThreads("openwit-maintenance-run", 1);
    this.tableWorkers = maintenanceThreads("openwit-maintenance", config.maintenance().threads());
    this.nextMaintenanceAt = System.currentTimeMillis() + config.maintenance().intervalMs();
    metrics.gauge("openwit.maintenance.last.run.timestamp.seconds", lastRunAt, at -> at.get() / 1000.0);
  }

  /** Ticks on a schedule from now on. */
  public Janitor start() {
    long tick = config.maintenance().tickMs();
    worker.scheduleWithFixedDelay(this::tick, 0, tick, TimeUnit.MILLISECONDS);
    return this;
  }

  public String holder() {
    return holder;
  }

  public Optional<MaintenanceReport> lastReport() {
    return Optional.ofNullable(lastReport.get());
  }

  /** Maintains every table now (see {@link #runAsync()}) and waits for the report. */
  public MaintenanceReport runNow() throws InterruptedException {
    try {
      return runAsync().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("maintenance failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * Maintains every table on the maintenance threads, after the run in progress if there is one
   * (a run already waiting is joined instead: it will see all there is by then). The report says
   * the run was skipped when another process holds the lease.
   */
  public CompletableFuture<MaintenanceReport> runAsync() {
    return submit("on_demand");
  }

  private CompletableFuture<MaintenanceReport> submit(String trigger) {
    synchronized (runs) {
      if (queuedRun != null) {
        return queuedRun;
      }
      CompletableFuture<MaintenanceReport> run = new CompletableFuture<>();
      queuedRun = run;
      try {
        runner.execute(() -> {
          synchronized (runs) {
            queuedRun = null;
          }
          try {
            run.complete(maintain(trigger));
          } catch (RuntimeException e) {
            run.completeExceptionally(e);
          } catch (Error e) {
            run.completeExceptionally(e);
            throw e;
          }
        });
      } catch (RejectedExecutionException e) {
        queuedRun = null;
        run.completeExceptionally(new IllegalStateException("the janitor is closed", e));
      }
      return run;
    }
  }

  private void tick() {
    try {
      long now = System.currentTimeMillis();
      if (!leads(now)) {
        return;
      }
      batches.completeStored(now);
      batches.forgetCompleted(now - config.batchTracking().keepCompletedMs());
      controlPlane.forgetNodes(now - FORGET_NODES_AFTER_MS);
      if (config.maintenance().enabled() && now >= nextMaintenanceAt) {
        submit("schedule").whenComplete((report, failure) -> {
          if (failure != null) {
            LOG.error("scheduled maintenance failed", failure);
          }
        });
      }
    } catch (MetastoreException e) {
      LOG.warn("janitor tick failed: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("janitor tick failed", e);
    }
  }

  private boolean leads(long now) {
    return controlPlane.tryAcquire(LEASE, holder, config.cluster().leaseMs(), now);
  }

  private boolean renews() {
    try {
      return leads(System.currentTimeMillis());
    } catch (MetastoreException e) {
      LOG.warn("could not renew the janitor lease: {}", e.getMessage());
      return false;
    }
  }

  private MaintenanceReport maintain(String trigger) {
    long startedAt = System.currentTimeMillis();
    if (!leads(startedAt)) {
      String leader = controlPlane.holder(LEASE, startedAt).orElse("another janitor");
      metrics.counter("openwit.maintenance.runs", "outcome", "skipped").increment();
      return MaintenanceReport.skipped(trigger, holder, leader, startedAt);
    }
    nextMaintenanceAt = startedAt + config.maintenance().intervalMs();
    // one table can take longer than the lease: it is renewed in the background while the run lasts
    AtomicBoolean leaseHeld = new AtomicBoolean(true);
    long renewEvery = config.cluster().leaseMs() / 3;
    ScheduledFuture<?> renewal = leaseKeeper.scheduleWithFixedDelay(() -> {
      if (leaseHeld.get() && !renews()) {
        leaseHeld.set(false);
      }
    }, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
    List<TableReport> tables = new ArrayList<>();
    AtomicReference<String> interruption = new AtomicReference<>();
    try {
      List<CompletableFuture<Optional<TableReport>>> maintained = new ArrayList<>();
      for (TableIdentifier identifier : signalTables()) {
        maintained.add(CompletableFuture.supplyAsync(() -> maintainTable(identifier, leaseHeld, interruption),
            tableWorkers));
      }
      RuntimeException failure = null;
      // every table's work ends before the run does, even when one failed
      for (CompletableFuture<Optional<TableReport>> table : maintained) {
        try {
          table.join().ifPresent(tables::add);
        } catch (CompletionException e) {
          RuntimeException cause = e.getCause() instanceof RuntimeException runtime ? runtime : e;
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      renewal.cancel(false);
    }
    long finishedAt = System.currentTimeMillis();
    MaintenanceReport report =
        MaintenanceReport.ran(trigger, holder, startedAt, finishedAt, tables, interruption.get());
    metrics.counter("openwit.maintenance.runs", "outcome", report.errors() == 0 ? "ok" : "with_errors").increment();
    lastRunAt.set(finishedAt);
    lastReport.set(report);
    LOG.info("maintenance ({}) took {} ms: {}", trigger, finishedAt - startedAt, report.summary());
    return report;
  }

  /** One table's maintenance, on a maintenance worker; empty when it was skipped. */
  private Optional<TableReport> maintainTable(TableIdentifier identifier, AtomicBoolean leaseHeld,
      AtomicReference<String> interruption) {
    if (!leaseHeld.get()) {
      interruption.compareAndSet(null, "lost the janitor lease before " + identifier);
      return Optional.empty();
    }
    Table table;
    try {
      table = catalog.loadTable(identifier);
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
    if (!warehouse.holdsTable(table.location())) {
      // orphan removal deletes whatever lies under a table's location: never outside the warehouse
      LOG.warn("skipping {}: its location {} is not a table's place in the warehouse {}", identifier,
          table.location(), warehouse.root());
      return Optional.empty();
    }
    TableReport report =
        TableMaintenance.maintain(warehouse, indexes, table, policy(identifier), System.currentTimeMillis());
    count(report);
    return Optional.of(report);
  }

  /**
   * Daemon threads below normal priority: a hint, which Linux ignores unless the JVM runs with
   * {@code -XX:ThreadPriorityPolicy=1}; the thread budget is what bounds maintenance.
   */
  private static ExecutorService maintenanceThreads(String name, int threads) {
    AtomicInteger number = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, threads == 1 ? name : name + "-" + number.incrementAndGet());
      thread.setDaemon(true);
      thread.setPriority(Thread.MIN_PRIORITY);
      return thread;
    });
  }

  private List<TableIdentifier> signalTables() {
    List<TableIdentifier> tables = new ArrayList<>();
    for (Namespace namespace : namespaces.listNamespaces()) {
      for (Signal signal : Signal.values()) {
        TableIdentifier identifier = TableIdentifier.of(namespace, TableSchemas.forSignal(signal).name());
        if (catalog.tableExists(identifier)) {
          tables.add(identifier);
        }
      }
    }
    return tables;
  }

  private MaintenancePolicy policy(TableIdentifier identifier) {
    OpenWitConfig.Maintenance maintenance = config.maintenance();
    Signal signal = TableSchemas.signalOfTable(identifier.name()).orElseThrow();
    int retentionDays = maintenance.retention().daysOf(identifier.namespace().level(0), signal);
    return new MaintenancePolicy(maintenance.targetFileSizeBytes(), maintenance.minInputFiles(),
        maintenance.snapshotMaxAgeMs(), maintenance.minSnapshotsToKeep(), maintenance.orphanMinAgeMs(), retentionDays);
  }

  private void count(TableReport report) {
    metrics.counter("openwit.maintenance.files.compacted").increment(report.filesCompacted());
    metrics.counter("openwit.maintenance.files.written").increment(report.filesWritten());
    metrics.counter("openwit.maintenance.snapshots.expired").increment(report.snapshotsExpired());
    metrics.counter("openwit.maintenance.orphan.files.removed").increment(report.orphanFilesRemoved());
    metrics.counter("openwit.maintenance.retention.files.dropped").increment(report.retentionFilesDropped());
    metrics.counter("openwit.maintenance.retention.rows.dropped").increment(report.retentionRowsDropped());
    metrics.counter("openwit.maintenance.errors").increment(report.errors().size());
  }

  /** Stops ticking and hands the lease over at once. */
  @Override
  public void close() {
    worker.shutdownNow();
    leaseKeeper.shutdownNow();
    runner.shutdownNow();
    tableWorkers.shutdownNow();
    synchronized (runs) {
      if (queuedRun != null) {
        queuedRun.completeExceptionally(new IllegalStateException("the janitor closed before the run started"));
      }
    }
    try {
      worker.awaitTermination(30, TimeUnit.SECONDS);
      runner.awaitTermination(30, TimeUnit.SECONDS);
      tableWorkers.awaitTermination(30, TimeUnit.SECONDS);
      controlPlane.release(LEASE, holder);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (MetastoreException e) {
      LOG.warn("could not release the janitor lease: {}", e.getMessage());
    }
  }
}
