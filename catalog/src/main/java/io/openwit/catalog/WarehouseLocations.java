package io.openwit.catalog;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.iceberg.exceptions.BadRequestException;

/**
 * Whether a location lies inside the warehouse, and deep enough. Tables and namespaces live there
 * and nowhere else: a table pointed at another directory, at the warehouse itself or at a whole
 * namespace would let its owner's commits, and the janitor's orphan removal and snapshot expiry,
 * read or delete files that are not that table's.
 */
public final class WarehouseLocations {
  /**
   * Characters that file systems and URI parsers read differently (Hadoop's Path keeps '?' and '#'
   * in a path that java.net.URI cuts off), and dot segments: such a location is refused rather than
   * interpreted. Percent escapes are compared as written, as Hadoop and S3 keys take them.
   */
  private static final Pattern AMBIGUOUS = Pattern.compile("[?#\\\\]|(^|/)\\.{1,2}(/|$)");

  private final String root;

  public WarehouseLocations(String warehouse) {
    this.root = withSlash(normalize(warehouse));
  }

  /** Whether {@code location} is strictly below the warehouse root. */
  public boolean contains(String location) {
    return depth(location) >= 1;
  }

  /** Whether {@code location} can be a table's: at least {@code <root>/<namespace>/<table>}. */
  public boolean holdsTable(String location) {
    return depth(location) >= 2;
  }

  /** Refuses (400) a table's or view's {@code location}, named {@code what} in the message. */
  public void checkTable(String location, String what) {
    check(location, what, 2);
  }

  /** Refuses (400) a namespace's {@code location}. */
  public void checkNamespace(String location, String what) {
    check(location, what, 1);
  }

  public String root() {
    return root;
  }

  private void check(String location, String what, int minimumDepth) {
    if (location != null && depth(location) < minimumDepth) {
      throw new BadRequestException("%s '%s' is not inside the warehouse %s (or not deep enough in it: a namespace"
          + " lives at <warehouse>/<namespace>, a table below that); tables and namespaces may only live there",
          what, location, root);
    }
  }

  /** Path segments below the root, or -1 outside it (or when the location is ambiguous). */
  private int depth(String location) {
    if (location == null || AMBIGUOUS.matcher(location.replaceFirst("^[a-zA-Z0-9]+:", "")).find()) {
      return -1;
    }
    String normalized = normalize(location);
    if (normalized == null || !withSlash(normalized).startsWith(root)) {
      return -1;
    }
    String below = withSlash(normalized).substring(root.length());
    return below.isEmpty() ? 0 : below.split("/").length;
  }

  /** One spelling per place: file:/x, file:///x and /x are one directory; s3a and s3n are s3. */
  private static String normalize(String location) {
    String text = location.strip();
    if (text.startsWith("/")) {
      text = "file://" + text;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String path = (uri.getRawPath() == null ? "" : uri.getRawPath()).replaceAll("/{2,}", "/");
      return switch (scheme) {
        case "file" -> "file:" + path;
        case "s3", "s3a", "s3n" -> "s3://" + uri.getAuthority() + path;
        default -> scheme + "://" + (uri.getAuthority() == null ? "" : uri.getAuthority()) + path;
      };
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String withSlash(String location) {
    return location == null || location.endsWith("/") ? location : location + "/";
  }
}
