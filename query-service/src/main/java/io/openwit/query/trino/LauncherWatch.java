package io.openwit.query.trino;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A Java agent that ends the JVM it runs in when the process that started it exits, however that
 * process dies (SIGKILL and the OOM killer run no shutdown hook that could stop its children).
 * OpenWit starts its child JVMs (Trino, the Trino CLI) with {@link #jvmOption}; the agent then
 * watches the launcher's pid from inside the child. This class is copied alone into the agent's
 * jar, so it uses nothing but the JDK.
 */
public final class LauncherWatch {
  /** The child's exit code when its launcher is gone (128 + SIGHUP, as for a lost terminal). */
  static final int LAUNCHER_GONE = 129;
  /** How long the child's shutdown hooks may take before the JVM halts regardless. */
  private static final long SHUTDOWN_GRACE_MS = 20_000;
  private static final String JAR_NAME = "openwit-launcher-watch.jar";

  private LauncherWatch() {}

  /** Agent entry point; {@code argument} is the launcher's pid. */
  public static void premain(String argument) {
    long launcherPid = Long.parseLong(argument.trim());
    Optional<ProcessHandle> launcher = ProcessHandle.of(launcherPid);
    if (launcher.isEmpty() || !launcher.get().isAlive()) {
      System.err.println("OpenWit launcher (pid " + launcherPid + ") is already gone: exiting");
      Runtime.getRuntime().halt(LAUNCHER_GONE);
    }
    // the handle remembers the launcher's start time, so a reused pid does not pass for it
    launcher.get().onExit().thenRun(() -> stop(launcherPid));
  }

  private static void stop(long launcherPid) {
    System.err.println("OpenWit launcher (pid " + launcherPid + ") exited: stopping this process");
    Thread halt = new Thread(() -> {
      try {
        Thread.sleep(SHUTDOWN_GRACE_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Runtime.getRuntime().halt(LAUNCHER_GONE);
    }, "openwit-launcher-watch-halt");
    halt.setDaemon(true);
    halt.start();
    System.exit(LAUNCHER_GONE);
  }

  /**
   * The {@code -javaagent} option that makes a child JVM exit with this process; writes the agent's
   * jar into {@code directory} (this class and a manifest naming it).
   */
  public static String jvmOption(Path directory) {
    Path jar = directory.resolve(JAR_NAME);
    String classFile = LauncherWatch.class.getName().replace('.', '/') + ".class";
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), LauncherWatch.class.getName());
    try {
      Files.createDirectories(directory);
      // written beside and moved into place: a child starting from the previous jar never reads half a file
      Path partial = Files.createTempFile(directory, JAR_NAME, ".partial");
      try (OutputStream out = Files.newOutputStream(partial);
          JarOutputStream jarOut = new JarOutputStream(out, manifest);
          InputStream classBytes = LauncherWatch.class.getClassLoader().getResourceAsStream(classFile)) {
        if (classBytes == null) {
          throw new IllegalStateException("no " + classFile + " on the classpath to build the launcher watch agent");
        }
        jarOut.putNextEntry(new JarEntry(classFile));
        classBytes.transferTo(jarOut);
        jarOut.closeEntry();
      }
      Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the launcher watch agent " + jar, e);
    }
    return "-javaagent:" + jar + "=" + ProcessHandle.current().pid();
  }
}
