package io.openwit.query.search;

import org.apache.lucene.index.QueryTimeout;

/**
 * When one query must stop: {@code query.timeout_ms} after it arrived, or at once when its caller
 * is gone. Lucene polls it while scoring and enumerating terms, and the row and trace readers
 * between rows, so a query past its deadline stops its work instead of running on unseen.
 */
public final class QueryDeadline implements QueryTimeout {
  public static final String TIMEOUT_KEY = "query.timeout_ms";

  private final long timeoutMs;
  private final long deadlineNanos;
  private volatile boolean cancelled;

  private QueryDeadline(long timeoutMs, long deadlineNanos) {
    this.timeoutMs = timeoutMs;
    this.deadlineNanos = deadlineNanos;
  }

  /** A deadline {@code timeoutMs} from now. */
  public static QueryDeadline in(long timeoutMs) {
    return new QueryDeadline(timeoutMs, System.nanoTime() + timeoutMs * 1_000_000);
  }

  /** Stops the query at its next check: nobody waits for its answer any more. */
  public void cancel() {
    cancelled = true;
  }

  @Override
  public boolean shouldExit() {
    return cancelled || System.nanoTime() - deadlineNanos >= 0;
  }

  /** Throws {@link QueryTimedOutException} once the query should stop. */
  public void check() {
    if (shouldExit()) {
      throw timedOut();
    }
  }

  public QueryTimedOutException timedOut() {
    return new QueryTimedOutException("the query ran longer than " + TIMEOUT_KEY + " (" + timeoutMs
        + " ms) and was stopped; narrow 'query' or the 'start'..'end' range, or raise " + TIMEOUT_KEY);
  }

  /** A query stopped at its deadline; the query API answers 504. */
  public static final class QueryTimedOutException extends RuntimeException {
    QueryTimedOutException(String message) {
      super(message);
    }
  }
}
