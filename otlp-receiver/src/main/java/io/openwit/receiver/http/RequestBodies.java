package io.openwit.receiver.http;

import com.linecorp.armeria.common.HttpStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Undoes the request's Content-Encoding, never producing more than the configured limit. */
final class RequestBodies {
  private RequestBodies() {}

  static byte[] decode(byte[] body, String contentEncoding, long maxBytes) {
    String encoding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    return switch (encoding) {
      case "", "identity" -> body;
      case "gzip", "x-gzip" -> gunzip(body, maxBytes);
      default -> throw new OtlpHttpException(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "unsupported Content-Encoding '" + contentEncoding + "'; use gzip or none");
    };
  }

  private static byte[] gunzip(byte[] body, long maxBytes) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(body.length * 4, 1024));
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (int read; (read = in.read(buffer)) > 0; ) {
        total += read;
        if (total > maxBytes) {
          throw new OtlpHttpException(
              HttpStatus.REQUEST_ENTITY_TOO_LARGE,
              "decompressed request body exceeds the limit of " + maxBytes
                  + " bytes (receiver.max_request_bytes)");
        }
        out.write(buffer, 0, read);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new OtlpHttpException(
          HttpStatus.BAD_REQUEST, "body is declared gzip but is not valid gzip: " + e.getMessage());
    }
  }
}
