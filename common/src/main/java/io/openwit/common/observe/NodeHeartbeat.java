package io.openwit.common.observe;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.ControlPlane;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.metastore.MetastoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers one OpenWit process (or one role of it) in the metastore and heartbeats there with its
 * readiness until closed; {@code /api/cluster/nodes} and {@code openwit nodes} read the registry.
 */
public final class NodeHeartbeat implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeHeartbeat.class);
  public static final String VERSION = readVersion();

  private final ControlPlane controlPlane;
  private final String nodeId;
  private final ScheduledExecutorService timer;

  private NodeHeartbeat(ControlPlane controlPlane, String nodeId, ScheduledExecutorService timer) {
    this.controlPlane = controlPlane;
    this.nodeId = nodeId;
    this.timer = timer;
  }

  /**
   * Starts heartbeating as {@code role} serving on {@code port} of this host; the first beat
   * happens before this returns.
   */
  public static NodeHeartbeat start(OpenWitConfig config, String role, int port, BooleanSupplier ready) {
    return start(config, role, hostName() + ":" + port, ready);
  }

  /** As above, for a process whose address is not a local port (e.g. a Flink task). */
  public static NodeHeartbeat start(OpenWitConfig config, String role, String address, BooleanSupplier ready) {
    Metastore metastore = Metastore.of(config);
    ControlPlane controlPlane = metastore.controlPlane();
    String nodeId = role + "@" + address;
    long startedAt = System.currentTimeMillis();
    Runnable beat = () -> {
      try {
        controlPlane.heartbeat(nodeId, role, address, VERSION, startedAt, ready.getAsBoolean(),
            System.currentTimeMillis());
      } catch (RuntimeException e) {
        // an exception would cancel every later beat
        LOG.warn("heartbeat of {} not recorded: {}", nodeId, e.toString());
      }
    };
    beat.run();
    ScheduledExecutorService timer = DaemonThreads.scheduler("openwit-heartbeat-" + role);
    long interval = config.cluster().heartbeatIntervalMs();
    timer.scheduleWithFixedDelay(beat, interval, interval, TimeUnit.MILLISECONDS);
    return new NodeHeartbeat(controlPlane, nodeId, timer);
  }

  public String nodeId() {
    return nodeId;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      // a beat in flight would otherwise mark the node running again after it stopped
      timer.awaitTermination(10, TimeUnit.SECONDS);
      controlPlane.stopped(nodeId, System.currentTimeMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (MetastoreException e) {
      LOG.warn("could not record that {} stopped: {}", nodeId, e.getMessage());
    }
  }

  public static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  private static String readVersion() {
    try (InputStream in = NodeHeartbeat.class.getResourceAsStream("/openwit/version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
