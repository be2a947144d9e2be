package io.openwit.receiver.http;

import com.linecorp.armeria.common.HttpStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Undoes the request's Content-Encoding, never producing more than the configured limit. */
final class RequestBodies {
  private static final int FIRST_BUFFER_BYTES = 64 * 1024;

  private RequestBodies() {}

  /**
   * The body as the request's encoding says; {@code limitName} is the setting that put the limit at
   * {@code maxBytes}, for the message of a body that inflates past it.
   */
  static byte[] decode(byte[] body, String contentEncoding, long maxBytes, String limitName) {
    String encoding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    return switch (encoding) {
      case "", "identity" -> body;
      case "gzip", "x-gzip" -> gunzip(body, maxBytes, limitName);
      default -> throw new OtlpHttpException(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "unsupported Content-Encoding '" + contentEncoding + "'; use gzip or none");
    };
  }

  /**
   * Inflates into a buffer that grows with what actually comes out, up to {@code maxBytes}: the
   * compressed size says nothing of the inflated one (a megabyte of gzip can hold a gigabyte of
   * zeros), so nothing is sized from it, and inflating stops one byte past the limit.
   */
  private static byte[] gunzip(byte[] body, long maxBytes, String limitName) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      byte[] out = new byte[(int) Math.min(FIRST_BUFFER_BYTES, maxBytes + 1)];
      int length = 0;
      for (int read; (read = in.read(out, length, out.length - length)) > 0; ) {
        length += read;
        if (length > maxBytes) {
          throw new OtlpHttpException(
              HttpStatus.REQUEST_ENTITY_TOO_LARGE,
              "decompressed request body exceeds the limit of " + maxBytes + " bytes (" + limitName + ")");
        }
        if (length == out.length) {
          out = Arrays.copyOf(out, (int) Math.min((long) out.length * 2, maxBytes + 1));
        }
      }
      return length == out.length ? out : Arrays.copyOf(out, length);
    } catch (IOException e) {
      throw new OtlpHttpException(
          HttpStatus.BAD_REQUEST, "body is declared gzip but is not valid gzip: " + e.getMessage());
    }
  }
}
