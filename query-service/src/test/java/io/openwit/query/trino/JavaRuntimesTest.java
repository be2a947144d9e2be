package io.openwit.query.trino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaRuntimesTest {
  @TempDir Path jvms;

  @Test
  void prefersTheConfiguredHomeThenJavaHomeThenTheNewestInstalled() throws IOException {
    Path jdk17 = jdk("java-17-openjdk", "17.0.15");
    Path jdk24 = jdk("jdk-24", "24.0.2");
    Path jdk25 = jdk("temurin-25", "25.0.1");

    assertThat(JavaRuntimes.find(jdk24.toString(), jdk25.toString(), jvms, 24).home()).isEqualTo(jdk24);
    assertThat(JavaRuntimes.find("", jdk24.toString(), jvms, 24).home()).isEqualTo(jdk24);
    assertThat(JavaRuntimes.find("", jdk17.toString(), jvms, 24).home()).isEqualTo(jdk25);
    assertThat(JavaRuntimes.find("", null, jvms, 24).featureVersion()).isEqualTo(25);
  }

  @Test
  void saysInOneLineWhenNoRuntimeIsNewEnough() throws IOException {
    Path jdk17 = jdk("java-17-openjdk", "17.0.15");
    assertThatThrownBy(() -> JavaRuntimes.find("", jdk17.toString(), jvms, 24))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Trino needs Java 24 or newer and none was found")
        .hasMessageContaining("java-17-openjdk=17")
        .hasMessageContaining("trino.java_home")
        .hasMessageNotContaining("\n");
  }

  @Test
  void readsLegacyVersionStrings() throws IOException {
    assertThat(JavaRuntimes.inspect(jdk("jdk8", "1.8.0_392")).orElseThrow().featureVersion()).isEqualTo(8);
    assertThat(JavaRuntimes.inspect(jvms.resolve("not-a-jdk"))).isEmpty();
  }

  private Path jdk(String name, String version) throws IOException {
    Path home = Files.createDirectories(jvms.resolve(name));
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }
}
