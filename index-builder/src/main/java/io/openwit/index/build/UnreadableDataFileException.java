package io.openwit.index.build;

import java.io.IOException;

/**
 * A data file failed while it was read or turned into documents (corrupt, truncated, missing from
 * storage, a row the builder cannot index): the file's fault, or its storage's, never the segment
 * being written. Which of the two it is, only retrying the file alone and probing storage can tell.
 */
public final class UnreadableDataFileException extends IOException {
  private final String path;

  public UnreadableDataFileException(String path, Throwable cause) {
    super("cannot index data file " + path + ": " + cause, cause);
    this.path = path;
  }

  /** The data file's path, as the table lists it. */
  public String path() {
    return path;
  }
}
