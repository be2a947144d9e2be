package io.openwit.receiver.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.HttpStatus;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Inflating gzip bodies: sized by what comes out, never by the compressed size, and never past the limit. */
class RequestBodiesTest {
  private static final long LIMIT = 16L << 20;

  @Test
  void aGzipBombStopsAtTheLimitHavingAllocatedAFewTimesTheLimitAtMost() throws Exception {
    byte[] bomb = zerosGzipped(1_024); // 1 GiB inflated
    RequestBodies.decode(gzip(new byte[] {1}), "gzip", LIMIT, "receiver.max_request_bytes"); // classes loaded

    long before = allocatedBytes();
    assertThatThrownBy(() -> RequestBodies.decode(bomb, "gzip", LIMIT, "receiver.max_request_bytes"))
        .isInstanceOfSatisfying(OtlpHttpException.class,
            e -> assertThat(e.status()).isEqualTo(HttpStatus.REQUEST_ENTITY_TOO_LARGE))
        .hasMessage("decompressed request body exceeds the limit of 16777216 bytes (receiver.max_request_bytes)");
    assertThat(allocatedBytes() - before).as("bytes allocated inflating a 1 GiB bomb").isLessThan(4 * LIMIT);
  }

  @Test
  void aBodyUpToTheLimitInflatesWhole() throws Exception {
    byte[] body = new byte[1 << 20];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31);
    }
    assertThat(RequestBodies.decode(gzip(body), "gzip", body.length, "receiver.max_request_bytes")).isEqualTo(body);
    assertThatThrownBy(() -> RequestBodies.decode(gzip(body), "gzip", body.length - 1, "limits max_request_bytes"))
        .hasMessageEndingWith("(limits max_request_bytes)");
  }

  /** {@code mebibytes} gzip members of 1 MiB of zeros each, one after the other (a valid gzip stream). */
  private static byte[] zerosGzipped(int mebibytes) throws Exception {
    byte[] member = gzip(new byte[1 << 20]);
    ByteArrayOutputStream out = new ByteArrayOutputStream(member.length * mebibytes);
    for (int i = 0; i < mebibytes; i++) {
      out.write(member);
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] content) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(content);
    }
    return out.toByteArray();
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }
}
