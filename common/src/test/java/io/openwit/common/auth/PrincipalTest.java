package io.openwit.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrincipalTest {

  @Test
  void aTenantReadsOnlyItsOwnTenantWhateverItNames() {
    Principal acme = Principal.tenant("acme");
    assertThat(acme.tenantFor(null)).isEqualTo("acme");
    assertThat(acme.tenantFor(" acme ")).isEqualTo("acme");
    assertThatThrownBy(() -> acme.tenantFor("globex"))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("globex").hasMessageContaining("acme");
    assertThat(acme.isOperator()).isFalse();
  }

  @Test
  void operatorsNameATenantOrReadDefault() {
    for (Principal operator : new Principal[] {Principal.admin(), Principal.service(), Principal.open()}) {
      assertThat(operator.tenantFor("globex")).isEqualTo("globex");
      assertThat(operator.tenantFor("")).isEqualTo("default");
      assertThat(operator.isOperator()).isTrue();
    }
  }

  @Test
  void printsNoSecretOnlyTheKindOfCaller() {
    assertThat(Principal.tenant("acme")).hasToString("tenant acme");
    assertThat(Principal.admin()).hasToString("admin");
  }
}
