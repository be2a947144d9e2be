package io.openwit.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TenantQueryLimiterTest {

  @Test
  void aTenantOverItsBoundIsRefusedNamingTheKeyWhileOtherTenantsRun() {
    TenantQueryLimiter limiter = new TenantQueryLimiter(2);
    TenantQueryLimiter.Permit first = limiter.admit("acme");
    TenantQueryLimiter.Permit second = limiter.admit("acme");
    assertThatThrownBy(() -> limiter.admit("acme"))
        .isInstanceOf(TenantQueryLimiter.TooManyQueriesException.class)
        .hasMessageContaining("'acme'").hasMessageContaining("query.max_concurrent_per_tenant");
    try (TenantQueryLimiter.Permit other = limiter.admit("globex")) {
      assertThat(limiter.running("globex")).isEqualTo(1);
    }
    first.close();
    limiter.admit("acme").close();
    second.close();
    assertThat(limiter.running("acme")).isZero();
    assertThat(limiter.running("globex")).isZero();
  }

  @Test
  void closingAPermitTwiceFreesOnePlace() {
    TenantQueryLimiter limiter = new TenantQueryLimiter(2);
    TenantQueryLimiter.Permit held = limiter.admit("acme");
    TenantQueryLimiter.Permit closedTwice = limiter.admit("acme");
    closedTwice.close();
    closedTwice.close();
    assertThat(limiter.running("acme")).isEqualTo(1);
    held.close();
  }

  @Test
  void concurrentQueriesNeverExceedTheBound() throws Exception {
    int bound = 3;
    TenantQueryLimiter limiter = new TenantQueryLimiter(bound);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> queries = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        queries.add(threads.submit(() -> {
          start.await();
          for (int round = 0; round < 2_000; round++) {
            try (TenantQueryLimiter.Permit permit = limiter.admit("acme")) {
              mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
              Thread.onSpinWait();
              inside.decrementAndGet();
            } catch (TenantQueryLimiter.TooManyQueriesException e) {
              refused.incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> query : queries) {
        query.get(1, TimeUnit.MINUTES);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(mostInside.get()).isLessThanOrEqualTo(bound);
    assertThat(refused.get()).as("16 threads contend for 3 places").isPositive();
    assertThat(limiter.running("acme")).isZero();
  }

  @Test
  void aBoundBelowOneIsRefused() {
    assertThatThrownBy(() -> new TenantQueryLimiter(0)).hasMessageContaining("query.max_concurrent_per_tenant");
  }
}
