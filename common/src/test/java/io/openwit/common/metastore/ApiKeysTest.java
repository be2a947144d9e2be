package io.openwit.common.metastore;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiKeysTest {

  @Test
  void theTrinoUsersOfAdminAndServiceAreNoTenantNames() {
    assertThatThrownBy(() -> ApiKeys.checkTenantId("admin")).hasMessageContaining("reserved");
    assertThatThrownBy(() -> ApiKeys.checkTenantId("openwit")).hasMessageContaining("reserved");
    assertThatThrownBy(() -> ApiKeys.checkTenantId("Acme")).hasMessageContaining("lowercase");
    assertThatCode(() -> ApiKeys.checkTenantId("acme_2")).doesNotThrowAnyException();
  }
}
