package io.openwit.query.trino;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.OpenWitConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrinoConfigurationTest {

  @Test
  void coordinatorPlansAndWorkersJoinIt(@TempDir Path directory) throws IOException {
    OpenWitConfig config = OpenWitConfig.defaults();
    new TrinoConfiguration(TrinoConfiguration.Role.COORDINATOR, 8080, "http://trino:8080", "", Optional.empty(), "")
        .write(directory.resolve("coordinator"), config);
    new TrinoConfiguration(TrinoConfiguration.Role.WORKER, 8080, "http://trino:8080", "", Optional.empty(), "")
        .write(directory.resolve("worker"), config);

    Properties coordinator = properties(directory.resolve("coordinator/config.properties"));
    assertThat(coordinator.getProperty("coordinator")).isEqualTo("true");
    assertThat(coordinator.getProperty("node-scheduler.include-coordinator")).isEqualTo("false");
    assertThat(coordinator.getProperty("discovery.uri")).isEqualTo("http://trino:8080");
    Properties worker = properties(directory.resolve("worker/config.properties"));
    assertThat(worker.getProperty("coordinator")).isEqualTo("false");
    assertThat(worker.getProperty("node-scheduler.include-coordinator")).isNull();
    assertThat(worker.getProperty("discovery.uri")).isEqualTo("http://trino:8080");
    // no node.id: each worker replica gets its own
    assertThat(properties(directory.resolve("worker/node.properties")).getProperty("node.id")).isNull();
    assertThat(Files.readAllLines(directory.resolve("worker/jvm.config")))
        .contains("--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1G");
    // Trino refuses catalog.store on a worker: workers load catalogs from the coordinator
    assertThat(worker.getProperty("catalog.store")).isNull();
    assertThat(directory.resolve("worker/catalog")).doesNotExist();
    assertThat(coordinator.getProperty("catalog.store")).isEqualTo("file");
    Properties iceberg = properties(directory.resolve("coordinator/catalog/openwit.properties"));
    assertThat(iceberg.getProperty("iceberg.rest-catalog.uri")).isEqualTo("http://127.0.0.1:8181");
    assertThat(iceberg.getProperty("fs.native-s3.enabled")).isNull();
    assertThat(properties(directory.resolve("coordinator/catalog/search.properties")).getProperty("openwit.query-api-uri"))
        .isEqualTo("http://127.0.0.1:8083");
  }

  @Test
  void withoutAuthTrinoStaysPlainHttpOnLoopbackButStillShowsTheCatalogItsKey(@TempDir Path directory)
      throws IOException {
    OpenWitConfig config = OpenWitConfig.defaults().withDataDir(directory.resolve("data").toString());
    ServiceCredential.ensure(config);
    new TrinoConfiguration(TrinoConfiguration.Role.SINGLE_NODE, 8080, "http://127.0.0.1:8080", "n1", Optional.empty(),
        "127.0.0.1").write(directory, config);

    Properties server = properties(directory.resolve("config.properties"));
    assertThat(server.stringPropertyNames())
        .noneMatch(name -> name.startsWith("http-server.https") || name.startsWith("http-server.authentication")
            || name.startsWith("internal-communication") || name.contains("access-control")
            || name.contains("password-authenticator"));
    assertThat(directory.resolve("access-control.properties")).doesNotExist();
    assertThat(directory.resolve("tls")).doesNotExist();
    assertThat(properties(directory.resolve("node.properties")).getProperty("node.bind-ip")).isEqualTo("127.0.0.1");
    // the REST catalog may ask for a key whatever Trino's own clients do
    Properties iceberg = properties(directory.resolve("catalog/openwit.properties"));
    assertThat(iceberg.getProperty("iceberg.rest-catalog.security")).isEqualTo("OAUTH2");
    assertThat(iceberg.getProperty("iceberg.rest-catalog.oauth2.token")).isEqualTo("${ENV:OPENWIT_SERVICE_KEY}");
    assertThat(properties(directory.resolve("catalog/search.properties")).getProperty("openwit.service-key")).isNull();
  }

  @Test
  void withoutAuthOrAServiceKeyTrinoSendsTheCatalogNoToken(@TempDir Path directory) throws IOException {
    OpenWitConfig config = OpenWitConfig.defaults().withDataDir(directory.resolve("data").toString());
    new TrinoConfiguration(TrinoConfiguration.Role.SINGLE_NODE, 8080, "http://127.0.0.1:8080", "n1", Optional.empty(),
        "127.0.0.1").write(directory, config);
    assertThat(properties(directory.resolve("catalog/openwit.properties")).stringPropertyNames())
        .noneMatch(name -> name.startsWith("iceberg.rest-catalog.security") || name.contains("oauth2"));
  }

  @Test
  void withAuthClientsLogInOverHttpsAndTheServiceKeyStaysInTheEnvironment(@TempDir Path directory) throws Exception {
    OpenWitConfig config = authConfig(directory, new OpenWitConfig.Tls(null, null));
    String serviceKey = ServiceCredential.ensure(config);
    Path etc = directory.resolve("coordinator");
    TrinoConfiguration coordinator = new TrinoConfiguration(TrinoConfiguration.Role.COORDINATOR, 8080,
        "http://trino:8080", "", Optional.empty(), "");
    coordinator.write(etc, config);

    Properties server = properties(etc.resolve("config.properties"));
    assertThat(server.getProperty("http-server.https.enabled")).isEqualTo("true");
    assertThat(server.getProperty("http-server.https.port")).isEqualTo("9443");
    assertThat(server.getProperty("http-server.authentication.type")).isEqualTo("PASSWORD");
    // plain HTTP stays for Trino's internal traffic, which only this secret signs
    assertThat(server.getProperty("http-server.http.port")).isEqualTo("8080");
    String secret = server.getProperty("internal-communication.shared-secret");
    assertThat(secret).isEqualTo(TrinoConfiguration.sharedSecret(serviceKey)).doesNotContain(serviceKey).hasSize(64);
    Properties passwords = properties(Path.of(server.getProperty("password-authenticator.config-files")));
    assertThat(passwords.getProperty("password-authenticator.name")).isEqualTo("openwit");
    assertThat(passwords.getProperty("openwit.query-api-uri")).isEqualTo("http://127.0.0.1:8083");
    Properties access = properties(Path.of(server.getProperty("access-control.config-files")));
    assertThat(access.getProperty("access-control.name")).isEqualTo("openwit");
    assertThat(access.getProperty("openwit.iceberg-catalog")).isEqualTo(TrinoServer.CATALOG);
    assertThat(access.getProperty("openwit.search-catalog")).isEqualTo(TrinoServer.SEARCH_CATALOG);
    assertThat(properties(etc.resolve("catalog/search.properties")).getProperty("openwit.service-key"))
        .isEqualTo("${ENV:OPENWIT_SERVICE_KEY}");
    assertThat(properties(etc.resolve("catalog/openwit.properties")).getProperty("iceberg.rest-catalog.oauth2.token"))
        .isEqualTo("${ENV:OPENWIT_SERVICE_KEY}");
    assertThat(properties(etc.resolve("node.properties")).getProperty("node.bind-ip")).isEqualTo("0.0.0.0");

    // a self-signed certificate for loopback: a key Trino reads, a chain clients trust
    Path keystore = Path.of(server.getProperty("http-server.https.keystore.path"));
    assertThat(Files.readString(keystore)).contains("-----BEGIN PRIVATE KEY-----", "-----BEGIN CERTIFICATE-----");
    TrinoCertificate files = TrinoConfiguration.certificate(etc);
    assertThat(files.keystore()).isEqualTo(keystore);
    X509Certificate certificate = certificate(files.certificate());
    assertThat(certificate.getSubjectAlternativeNames()).contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
    assertThat(Files.readString(files.certificate())).doesNotContain("PRIVATE KEY");

    // nothing Trino reads holds the service key, and the secret and the key are their owner's only
    try (Stream<Path> written = Files.walk(etc)) {
      for (Path file : written.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(serviceKey);
      }
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(etc.resolve("config.properties"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keystore))).isEqualTo("rw-------");

    // a restart keeps the certificate clients may have trusted
    coordinator.write(etc, config);
    assertThat(certificate(files.certificate())).isEqualTo(certificate);

    // a worker signs with the same secret and serves no clients
    Path workerEtc = directory.resolve("worker");
    new TrinoConfiguration(TrinoConfiguration.Role.WORKER, 8080, "http://trino:8080", "", Optional.empty(), "")
        .write(workerEtc, config);
    Properties worker = properties(workerEtc.resolve("config.properties"));
    assertThat(worker.getProperty("internal-communication.shared-secret")).isEqualTo(secret);
    assertThat(worker.getProperty("http-server.https.enabled")).isNull();
    assertThat(workerEtc.resolve("access-control.properties")).doesNotExist();

    // auth turned off again: Trino would still load etc/access-control.properties from its working directory
    coordinator.write(etc, OpenWitConfig.defaults());
    assertThat(etc.resolve("access-control.properties")).doesNotExist();
    assertThat(etc.resolve("password-authenticator.properties")).doesNotExist();
    assertThat(properties(etc.resolve("config.properties")).getProperty("http-server.authentication.type")).isNull();
  }

  @Test
  void configuredCertificateAndKeyBecomeTrinosKeystore(@TempDir Path directory) throws Exception {
    TrinoCertificate generated =
        TrinoCertificate.prepare(directory.resolve("generated"), authConfig(directory, new OpenWitConfig.Tls(null, null)));
    String keystore = Files.readString(generated.keystore());
    Path key = Files.writeString(directory.resolve("key.pem"), keystore.substring(0, keystore.indexOf("-----BEGIN CERT")));
    Path chain = Files.writeString(directory.resolve("chain.pem"), Files.readString(generated.certificate()));

    TrinoCertificate configured = TrinoCertificate.prepare(directory.resolve("configured"),
        authConfig(directory, new OpenWitConfig.Tls(chain.toString(), key.toString())));
    assertThat(Files.readString(configured.keystore())).isEqualTo(Files.readString(key) + Files.readString(chain));
    assertThat(Files.readString(configured.certificate())).isEqualTo(Files.readString(chain));
  }

  @Test
  void clientsReachAWildcardListenerOnLoopback() {
    assertThat(TrinoServer.clientHost(OpenWitConfig.defaults())).isEqualTo("127.0.0.1");
    assertThat(TrinoServer.clientHost(authConfig(Path.of("unused"), new OpenWitConfig.Tls(null, null))))
        .isEqualTo("127.0.0.1");
  }

  /** Auth on, every listener on all interfaces, HTTPS on 9443, the service key in a file under {@code directory}. */
  private static OpenWitConfig authConfig(Path directory, OpenWitConfig.Tls tls) {
    return new OpenWitConfig(directory.toString(), "0.0.0.0",
        new OpenWitConfig.Auth(true, true, directory.resolve("service.key").toString(), null), null, null, null, null,
        null, null, null, new OpenWitConfig.Trino(null, 9443, tls, null, null, null), null, null, null, null, null, null,
        null);
  }

  private static X509Certificate certificate(Path file) throws IOException, CertificateException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  @Test
  void warehouseOnS3GivesTrinoItsOwnS3Client(@TempDir Path directory) throws IOException {
    OpenWitConfig config = new OpenWitConfig(null, null, null, null, new OpenWitConfig.Catalog(null, "catalog", "s3://lake/warehouse"),
        null, null, null, null, null, null, new OpenWitConfig.Query(null, "query-service", null, null), null, null, null, null, null,
        new OpenWitConfig.Storage(new OpenWitConfig.S3("http://minio:9000", "eu-west-1", true)));
    new TrinoConfiguration(TrinoConfiguration.Role.SINGLE_NODE, 8080, "http://127.0.0.1:8080", "n1",
        Optional.of(Path.of("/opt/trino/plugin")), "127.0.0.1").write(directory, config);

    Properties iceberg = properties(directory.resolve("catalog/openwit.properties"));
    assertThat(iceberg.getProperty("iceberg.rest-catalog.uri")).isEqualTo("http://catalog:8181");
    assertThat(iceberg.getProperty("fs.native-s3.enabled")).isEqualTo("true");
    assertThat(iceberg.getProperty("s3.endpoint")).isEqualTo("http://minio:9000");
    assertThat(iceberg.getProperty("s3.region")).isEqualTo("eu-west-1");
    assertThat(iceberg.getProperty("s3.path-style-access")).isEqualTo("true");
    assertThat(iceberg.stringPropertyNames()).noneMatch(name -> name.contains("key"));
    assertThat(properties(directory.resolve("catalog/search.properties")).getProperty("openwit.query-api-uri"))
        .isEqualTo("http://query-service:8083");
    Properties server = properties(directory.resolve("config.properties"));
    assertThat(server.getProperty("node-scheduler.include-coordinator")).isEqualTo("true");
    assertThat(server.getProperty("plugin.dir")).isEqualTo("/opt/trino/plugin");
    assertThat(properties(directory.resolve("node.properties")).getProperty("node.id")).isEqualTo("n1");
  }

  private static Properties properties(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    }
    return properties;
  }
}
