package io.openwit.common.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** The address every listener binds ({@code listen_address}): loopback by default. */
public final class ListenAddress {
  private ListenAddress() {}

  /** Whether {@code address} (a literal or a host name) only reaches this machine. */
  public static boolean isLoopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new ConfigException("'listen_address' " + address + " is not an address of this machine: " + e.getMessage(), e);
    }
  }

  /** {@code port} on the configured listen address. */
  public static InetSocketAddress of(OpenWitConfig config, int port) {
    return new InetSocketAddress(config.listenAddress(), port);
  }
}
