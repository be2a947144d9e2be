package io.openwit.common.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The address every listener binds ({@code listen_address}): loopback by default. */
public final class ListenAddress {
  private static final Logger LOG = LoggerFactory.getLogger(ListenAddress.class);

  private ListenAddress() {}

  /** Whether {@code address} (a literal or a host name) only reaches this machine. */
  public static boolean isLoopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new ConfigException("'listen_address' " + address + " is not an address of this machine: " + e.getMessage(), e);
    }
  }

  /**
   * {@code port} on the configured listen address. Open to the network with authentication off
   * (which only {@code auth.allow_open_network} allows), every listener says so loudly at start.
   */
  public static InetSocketAddress of(OpenWitConfig config, int port) {
    if (!config.auth().enabled() && !isLoopback(config.listenAddress())) {
      LOG.warn("AUTHENTICATION IS OFF and port {} listens on {}: anyone who reaches this machine reads and writes"
          + " every tenant's data (auth.allow_open_network: true). Set auth.enabled: true.", port, config.listenAddress());
    }
    return new InetSocketAddress(config.listenAddress(), port);
  }
}
