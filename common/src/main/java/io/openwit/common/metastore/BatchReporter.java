package io.openwit.common.metastore;

/** Where a process reports what happened to batches; never blocks the caller. */
@FunctionalInterface
public interface BatchReporter {
  BatchReporter NONE = event -> { };

  void report(BatchEvent event);
}
