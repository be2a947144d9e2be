package io.openwit.catalog;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.apache.iceberg.exceptions.BadRequestException;

/**
 * Whether a location lies inside the warehouse. Tables and namespaces live there and nowhere else:
 * a table pointed at another directory would let its owner's commits, and the janitor's orphan
 * removal, read or delete files that are not the warehouse's.
 */
public final class WarehouseLocations {
  private final String root;

  public WarehouseLocations(String warehouse) {
    this.root = withSlash(normalize(warehouse));
  }

  public boolean contains(String location) {
    String normalized = normalize(location);
    return normalized != null && withSlash(normalized).startsWith(root);
  }

  /** Refuses (400) {@code location}, named {@code what} in the message, when it is outside. */
  public void check(String location, String what) {
    if (location != null && !contains(location)) {
      throw new BadRequestException("%s '%s' is outside the warehouse %s; tables and namespaces may only live inside it",
          what, location, root);
    }
  }

  public String root() {
    return root;
  }

  /**
   * One spelling per place: file:/x, file:///x and /x are one directory; dot segments are resolved
   * (a/../../b must not escape); s3a and s3n are s3. Null when {@code location} is not a location.
   */
  private static String normalize(String location) {
    String text = location.strip();
    if (text.startsWith("/")) {
      text = "file://" + text;
    }
    try {
      URI uri = new URI(text).normalize();
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/+", "/");
      if (path.contains("/../") || path.endsWith("/..")) {
        return null;
      }
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
