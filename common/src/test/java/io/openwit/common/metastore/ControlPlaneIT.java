package io.openwit.common.metastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Node heartbeats and leases on both backends, including contenders racing for one lease. */
class ControlPlaneIT {
  private static final long DOWN_AFTER_MS = 3000;
  private static final long LEASE_MS = 1000;

  @TempDir Path dataDir;

  private final TestMetastores metastores = new TestMetastores();

  @OnBothBackends
  void nodesShowUpNotReadyDownOrStoppedFromTheirHeartbeats(String backend) throws Exception {
    ControlPlane plane = migrated(backend).controlPlane();
    heartbeat(plane, "receiver-1", "receiver", true, 5000L);
    heartbeat(plane, "pipeline-1", "pipeline", false, 5000L);
    heartbeat(plane, "catalog-1", "catalog", true, 1000L);
    heartbeat(plane, "receiver-2", "receiver", true, 4000L);
    plane.stopped("receiver-2", 4500L);

    assertThat(plane.nodes(6000L, DOWN_AFTER_MS))
        .extracting(ControlPlane.Node::nodeId, ControlPlane.Node::health, ControlPlane.Node::lastHeartbeat)
        .containsExactly(
            tuple("catalog-1", "down", 1000L),
            tuple("pipeline-1", "not_ready", 5000L),
            tuple("receiver-1", "up", 5000L),
            tuple("receiver-2", "stopped", 4500L));
    assertThat(plane.nodes(6000L, DOWN_AFTER_MS).get(0)).isEqualTo(new ControlPlane.Node("catalog-1", "catalog",
        "catalog-1:8080", "0.1.0", 100L, 1000L, "down"));

    heartbeat(plane, "pipeline-1", "pipeline", true, 6000L);
    heartbeat(plane, "receiver-2", "receiver", true, 6000L);
    assertThat(plane.nodes(6000L, DOWN_AFTER_MS)).extracting(ControlPlane.Node::health)
        .containsExactly("down", "up", "up", "up");

    assertThat(plane.forgetNodes(5000L)).isEqualTo(1);
    assertThat(plane.nodes(6000L, DOWN_AFTER_MS)).extracting(ControlPlane.Node::nodeId)
        .containsExactly("pipeline-1", "receiver-1", "receiver-2");
  }

  @OnBothBackends
  void aLeaseHasOneHolderUntilItExpiresOrIsReleased(String backend) throws Exception {
    ControlPlane plane = migrated(backend).controlPlane();
    assertThat(plane.holder("janitor", 0L)).isEmpty();

    assertThat(plane.tryAcquire("janitor", "a", LEASE_MS, 0L)).isTrue();
    assertThat(plane.holder("janitor", 500L)).contains("a");
    assertThat(plane.tryAcquire("janitor", "b", LEASE_MS, 500L)).isFalse();

    assertThat(plane.tryAcquire("janitor", "a", LEASE_MS, 800L)).as("renewed until 1800").isTrue();
    assertThat(plane.tryAcquire("janitor", "b", LEASE_MS, 1500L)).isFalse();
    assertThat(plane.holder("janitor", 1800L)).contains("a");
    assertThat(plane.holder("janitor", 1801L)).isEmpty();

    assertThat(plane.tryAcquire("janitor", "b", LEASE_MS, 1801L)).isTrue();
    assertThat(plane.tryAcquire("janitor", "a", LEASE_MS, 1900L)).isFalse();
    assertThat(plane.holder("janitor", 1900L)).contains("b");

    plane.release("janitor", "a");
    assertThat(plane.holder("janitor", 1900L)).contains("b");
    plane.release("janitor", "b");
    assertThat(plane.holder("janitor", 1900L)).isEmpty();
    assertThat(plane.tryAcquire("janitor", "a", LEASE_MS, 1900L)).isTrue();
    assertThat(plane.holder("janitor", 1900L)).contains("a");
  }

  @OnBothBackends
  void contendersRacingForALeaseHaveExactlyOneWinner(String backend) throws Exception {
    ControlPlane plane = migrated(backend).controlPlane();
    int contenders = 8;
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    try {
      for (int round = 0; round < 20; round++) {
        String lease = "lease-" + round;
        List<String> firstWinners = race(pool, plane, lease, "first-", contenders, 0L);
        assertThat(firstWinners).as("round %d, a new lease", round).hasSize(1);
        assertThat(plane.holder(lease, 0L)).contains(firstWinners.get(0));

        long afterExpiry = LEASE_MS + 1;
        List<String> secondWinners = race(pool, plane, lease, "second-", contenders, afterExpiry);
        assertThat(secondWinners).as("round %d, an expired lease", round).hasSize(1);
        assertThat(plane.holder(lease, afterExpiry)).contains(secondWinners.get(0));
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** Every contender tries {@code lease} at the same moment; returns those that got it. */
  private static List<String> race(ExecutorService pool, ControlPlane plane, String lease, String holderPrefix,
      int contenders, long now) throws Exception {
    CountDownLatch ready = new CountDownLatch(contenders);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> attempts = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      String holder = holderPrefix + i;
      attempts.add(pool.submit(() -> {
        ready.countDown();
        start.await();
        return plane.tryAcquire(lease, holder, LEASE_MS, now);
      }));
    }
    assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
    start.countDown();
    List<String> winners = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      if (attempts.get(i).get(60, TimeUnit.SECONDS)) {
        winners.add(holderPrefix + i);
      }
    }
    return winners;
  }

  private static void heartbeat(ControlPlane plane, String nodeId, String role, boolean ready, long now) {
    plane.heartbeat(nodeId, role, nodeId + ":8080", "0.1.0", 100L, ready, now);
  }

  private Metastore migrated(String backend) throws Exception {
    return metastores.migrated(backend, dataDir);
  }

  @AfterEach
  void dropDatabase() throws Exception {
    metastores.close();
  }
}
