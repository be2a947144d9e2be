package io.openwit.cli.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap another JVM uses, sampled with the JDK's {@code jstat -gc} as it runs: the peak of the
 * used young, survivor and old spaces. A test reads from it what a process held while it was hit.
 */
final class HeapSampler implements AutoCloseable {
  static final int INTERVAL_MS = 100;
  /** The {@code jstat -gc} columns of used heap, in KB. */
  private static final List<String> USED_COLUMNS = List.of("S0U", "S1U", "EU", "OU");

  private final Process jstat;
  private final Thread reader;
  private final AtomicLong peakBytes = new AtomicLong();
  private final AtomicLong samples = new AtomicLong();

  private HeapSampler(Process jstat) {
    this.jstat = jstat;
    this.reader = new Thread(this::readSamples, "heap-sampler-" + jstat.pid());
    reader.setDaemon(true);
    reader.start();
  }

  static HeapSampler start(long pid) throws IOException {
    Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
    return new HeapSampler(new ProcessBuilder(jstat.toString(), "-gc", Long.toString(pid), Integer.toString(INTERVAL_MS))
        .redirectErrorStream(true).start());
  }

  long peakBytes() {
    if (samples.get() == 0) {
      throw new IllegalStateException("jstat gave no sample of the heap of process " + jstat.pid());
    }
    return peakBytes.get();
  }

  private void readSamples() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
      List<String> header = null;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        List<String> fields = Arrays.asList(line.trim().split("\\s+"));
        if (fields.contains("EU")) {
          header = fields;
        } else if (header != null && fields.size() == header.size()) {
          double usedKb = 0;
          for (String column : USED_COLUMNS) {
            usedKb += Double.parseDouble(fields.get(header.indexOf(column)));
          }
          long used = (long) (usedKb * 1024);
          peakBytes.accumulateAndGet(used, Math::max);
          samples.incrementAndGet();
        }
      }
    } catch (IOException closed) {
      // close() ended jstat: the samples so far are the answer
      return;
    }
  }

  @Override
  public void close() throws InterruptedException {
    jstat.destroy();
    reader.join(5_000);
  }
}
