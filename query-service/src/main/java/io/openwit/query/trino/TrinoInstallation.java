package io.openwit.query.trino;

import io.openwit.common.config.OpenWitConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Where the Trino server (and its CLI) were assembled by the build, or where the config says. */
public record TrinoInstallation(Path home, Path cliJar) {

  public static TrinoInstallation resolve(OpenWitConfig.Trino config) {
    Properties build = new Properties();
    try (InputStream in = TrinoInstallation.class.getResourceAsStream("/openwit/trino-build.properties")) {
      if (in != null) {
        build.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path home = Path.of(config.installDir().isEmpty() ? build.getProperty("trino.home", "") : config.installDir());
    if (!Files.isDirectory(home.resolve("lib")) || !Files.isDirectory(home.resolve("plugin"))) {
      throw new IllegalStateException(
          "no Trino server at '" + home + "' (expected lib/ and plugin/); build the query-service module "
              + "(mvn -pl query-service -am package) or set trino.install_dir");
    }
    return new TrinoInstallation(home, Path.of(build.getProperty("trino.cli", home.resolve("trino-cli.jar").toString())));
  }
}
