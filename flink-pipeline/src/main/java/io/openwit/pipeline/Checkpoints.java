package io.openwit.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the newest completed checkpoint a restarted job should resume from. */
public final class Checkpoints {
  private Checkpoints() {}

  /**
   * The newest {@code <root>/<job-id>/chk-<n>} holding a {@code _metadata} file (written last, so
   * its presence means the checkpoint completed), across every earlier run of the job.
   */
  public static Optional<Path> latestCompleted(Path root) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> jobs = Files.list(root)) {
      return jobs.filter(Files::isDirectory)
          .flatMap(Checkpoints::completedIn)
          .max(Comparator.comparingLong(Checkpoints::modified).thenComparingLong(Checkpoints::number));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + root, e);
    }
  }

  private static Stream<Path> completedIn(Path jobDirectory) {
    try (Stream<Path> entries = Files.list(jobDirectory)) {
      return entries
          .filter(path -> path.getFileName().toString().startsWith("chk-"))
          .filter(path -> Files.isRegularFile(path.resolve("_metadata")))
          .toList()
          .stream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + jobDirectory, e);
    }
  }

  private static long number(Path checkpoint) {
    return Long.parseLong(checkpoint.getFileName().toString().substring("chk-".length()));
  }

  private static long modified(Path checkpoint) {
    try {
      return Files.getLastModifiedTime(checkpoint.resolve("_metadata")).toMillis();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
