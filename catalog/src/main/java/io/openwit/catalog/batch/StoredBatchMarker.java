package io.openwit.catalog.batch;

import io.openwit.catalog.FlinkCommits;
import io.openwit.catalog.rest.RestCatalogService;
import io.openwit.common.metastore.BatchStore;
import io.openwit.common.observe.DaemonThreads;
import io.openwit.common.metastore.MetastoreException;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.Signal;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.MetadataUpdate;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks batches stored from the commits the catalog serves: the Flink Iceberg sink writes its job id
 * and the newest checkpoint a snapshot contains into the snapshot summary, and every batch the
 * pipeline reported under that checkpoint or an earlier one of the job is in the table. Work runs
 * on its own thread, so a slow metastore never delays a commit; a periodic pass catches checkpoint
 * reports that reach the metastore after their commit.
 */
public final class StoredBatchMarker implements RestCatalogService.CommitObserver, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StoredBatchMarker.class);
  private static final long PASS_INTERVAL_MS = 2_000;
  private static final int MAX_ATTEMPTS = 8;

  private final BatchStore batches;
  private final ScheduledExecutorService worker;

  public StoredBatchMarker(BatchStore batches) {
    this.batches = batches;
    this.worker = DaemonThreads.scheduler("openwit-stored-batches");
    worker.scheduleWithFixedDelay(this::markStored, PASS_INTERVAL_MS, PASS_INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void committed(TableIdentifier table, UpdateTableRequest update) {
    Optional<Signal> signal = TableSchemas.signalOfTable(table.name());
    if (signal.isEmpty() || table.namespace().levels().length != 1) {
      return;
    }
    String tenant = table.namespace().level(0);
    for (MetadataUpdate change : update.updates()) {
      if (change instanceof MetadataUpdate.AddSnapshot added) {
        Map<String, String> summary = added.snapshot().summary();
        String jobId = summary.get(FlinkCommits.JOB_ID);
        String checkpoint = summary.get(FlinkCommits.MAX_COMMITTED_CHECKPOINT_ID);
        if (jobId != null && checkpoint != null) {
          long snapshotId = added.snapshot().snapshotId();
          try {
            worker.execute(() -> record(tenant, signal.get(), jobId, Long.parseLong(checkpoint), snapshotId, 1));
          } catch (RejectedExecutionException e) {
            // the catalog is stopping; the commit itself succeeded and must be answered as such
            LOG.warn("commit of checkpoint {} to {}.{} not recorded: the catalog is stopping", checkpoint, tenant,
                table.name());
          }
        }
      }
    }
  }

  /** Records a commit; while the metastore does not answer, tries again for about a minute. */
  private void record(String tenant, Signal signal, String jobId, long checkpointId, long snapshotId, int attempt) {
    try {
      batches.recordCommit(tenant, signal.headerValue(), jobId, checkpointId, snapshotId, System.currentTimeMillis());
    } catch (MetastoreException e) {
      if (attempt >= MAX_ATTEMPTS || worker.isShutdown()) {
        LOG.warn("gave up recording the commit of checkpoint {} of job {} to {}.{}: {}", checkpointId, jobId, tenant,
            signal.headerValue(), e.getMessage());
        return;
      }
      worker.schedule(() -> record(tenant, signal, jobId, checkpointId, snapshotId, attempt + 1),
          PASS_INTERVAL_MS * attempt, TimeUnit.MILLISECONDS);
    }
  }

  private void markStored() {
    try {
      batches.markStored(System.currentTimeMillis());
    } catch (MetastoreException e) {
      LOG.warn("could not mark stored batches: {}", e.getMessage());
    }
  }


  @Override
  public void close() {
    worker.shutdown();
  }
}
