package io.openwit.query.trino;

import io.openwit.common.config.OpenWitConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTPS certificate of a Trino coordinator, as two PEM files: {@code keystore.pem} (private key
 * and certificate chain, readable by its owner only; Trino's {@code http-server.https.keystore.path})
 * and {@code certificate.pem} (the chain alone, for clients' trust stores). They come from
 * {@code trino.tls.cert_path} and {@code trino.tls.key_path}, copied at every start, or else from a
 * self-signed certificate generated once (for localhost, 127.0.0.1 and {@code listen_address});
 * delete the directory to generate a new one.
 */
public record TrinoCertificate(Path keystore, Path certificate) {
  private static final String ALIAS = "trino";
  private static final String PASSWORD_VARIABLE = "OPENWIT_KEYSTORE_PASSWORD";
  private static final Base64.Encoder PEM_BASE64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  /** The certificate files under {@code directory}, as they are. */
  static TrinoCertificate in(Path directory) {
    return new TrinoCertificate(directory.resolve("keystore.pem").toAbsolutePath(),
        directory.resolve("certificate.pem").toAbsolutePath());
  }

  /** The certificate files under {@code directory}, written first when needed. */
  static TrinoCertificate prepare(Path directory, OpenWitConfig config) throws IOException {
    TrinoCertificate files = in(directory);
    Files.createDirectories(directory);
    OpenWitConfig.Tls tls = config.trino().tls();
    if (tls.enabled()) {
      files.write(withFinalNewline(Files.readString(Path.of(tls.keyPath()))),
          withFinalNewline(Files.readString(Path.of(tls.certPath()))));
    } else if (!Files.exists(files.keystore()) || !Files.exists(files.certificate())) {
      files.generate(directory, config.listenAddress());
    }
    return files;
  }

  /** keytool (of the Java running this) makes a key pair and self-signed certificate; Java reads them back as PEM. */
  private void generate(Path directory, String listenAddress) throws IOException {
    Path store = Files.createTempFile(directory, "keystore", ".p12");
    // keytool writes a new store only where no file is
    Files.delete(store);
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    // only for the moment between keytool and the PEM files; the PEM key needs none
    String password = HexFormat.of().formatHex(random);
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    ProcessBuilder command = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", ALIAS,
        "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650", "-dname", "CN=OpenWit Trino",
        "-ext", "SAN=" + String.join(",", subjectNames(listenAddress)),
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass:env", PASSWORD_VARIABLE)
        .redirectErrorStream(true)
        // to a file, not a pipe: reading a pipe to its end would wait past the timeout below
        .redirectOutput(store.resolveSibling("keytool.log").toFile());
    // on the command line, the password would show in the process list
    command.environment().put(PASSWORD_VARIABLE, password);
    try {
      Process process = command.start();
      if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IOException("cannot generate Trino's HTTPS certificate with " + keytool + ": "
            + Files.readString(store.resolveSibling("keytool.log")).strip());
      }
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keys.load(in, password.toCharArray());
      }
      PrivateKey key = (PrivateKey) keys.getKey(ALIAS, password.toCharArray());
      write(pem("PRIVATE KEY", key.getEncoded()), pem("CERTIFICATE", keys.getCertificate(ALIAS).getEncoded()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating Trino's HTTPS certificate", e);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the certificate keytool generated in " + store, e);
    } finally {
      Files.deleteIfExists(store);
      Files.deleteIfExists(store.resolveSibling("keytool.log"));
    }
  }

  /** The names a client may reach the coordinator by: loopback, and the listen address when it is one address. */
  private static List<String> subjectNames(String listenAddress) throws IOException {
    List<String> names = new ArrayList<>(List.of("dns:localhost", "ip:127.0.0.1"));
    InetAddress address = InetAddress.getByName(listenAddress);
    if (!address.isAnyLocalAddress() && !address.isLoopbackAddress()) {
      boolean literal = listenAddress.equals(address.getHostAddress());
      names.add((literal ? "ip:" : "dns:") + listenAddress);
    }
    return names;
  }

  private void write(String privateKey, String chain) throws IOException {
    Path next = keystore.resolveSibling(keystore.getFileName() + ".new");
    Files.deleteIfExists(next);
    Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(next, privateKey + chain);
    Files.move(next, keystore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.writeString(certificate, chain);
  }

  private static String withFinalNewline(String pem) {
    return pem.endsWith("\n") ? pem : pem + "\n";
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + PEM_BASE64.encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
