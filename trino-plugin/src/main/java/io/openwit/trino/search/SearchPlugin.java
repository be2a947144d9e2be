package io.openwit.trino.search;

import io.openwit.trino.security.OpenWitAccessControlFactory;
import io.openwit.trino.security.OpenWitPasswordAuthenticatorFactory;
import io.trino.spi.Plugin;
import io.trino.spi.connector.ConnectorFactory;
import io.trino.spi.security.PasswordAuthenticatorFactory;
import io.trino.spi.security.SystemAccessControlFactory;
import java.util.List;

/**
 * The Trino plugin: the connector {@code openwit_search}, and for {@code auth.enabled} the password
 * authenticator and the system access control, both named {@code openwit}.
 */
public final class SearchPlugin implements Plugin {
  @Override
  public Iterable<ConnectorFactory> getConnectorFactories() {
    return List.of(new SearchConnectorFactory());
  }

  @Override
  public Iterable<PasswordAuthenticatorFactory> getPasswordAuthenticatorFactories() {
    return List.of(new OpenWitPasswordAuthenticatorFactory());
  }

  @Override
  public Iterable<SystemAccessControlFactory> getSystemAccessControlFactories() {
    return List.of(new OpenWitAccessControlFactory());
  }
}
