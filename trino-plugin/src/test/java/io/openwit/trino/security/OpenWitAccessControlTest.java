package io.openwit.trino.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaName;
import io.trino.spi.connector.CatalogSchemaRoutineName;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.connector.EntityKindAndName;
import io.trino.spi.connector.EntityPrivilege;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.function.SchemaFunctionName;
import io.trino.spi.security.AccessDeniedException;
import io.trino.spi.security.Identity;
import io.trino.spi.security.PrincipalType;
import io.trino.spi.security.Privilege;
import io.trino.spi.security.SystemAccessControl;
import io.trino.spi.security.SystemSecurityContext;
import io.trino.spi.security.TrinoPrincipal;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class OpenWitAccessControlTest {
  private static final QueryId QUERY = QueryId.valueOf("20261202_000000_00000_abcde");
  /** What every reflective call below aims at: tenant acme's own schema and table. */
  private static final CatalogSchemaName OWN_SCHEMA = new CatalogSchemaName("openwit", "acme");
  private static final CatalogSchemaTableName OWN_TABLE = new CatalogSchemaTableName("openwit", "acme", "logs");
  private static final CatalogSchemaRoutineName SEARCH_LOGS = new CatalogSchemaRoutineName("search", "system", "logs");
  /** The SPI methods that decide nothing about access (masks, filters on rows, listeners, lifecycle). */
  private static final Set<String> NOT_ACCESS_CHECKS =
      Set.of("getRowFilters", "getColumnMask", "getColumnMasks", "getEventListeners", "shutdown");
  /** Everything a tenant may do with its own schema; every other check must refuse it. */
  private static final Set<String> TENANT_MAY = Set.of("checkCanSetUser", "checkCanExecuteQuery",
      "checkCanViewQueryOwnedBy", "checkCanKillQueryOwnedBy",
      "checkCanSetCatalogSessionProperty", "checkCanShowSchemas", "checkCanShowCreateSchema", "checkCanShowTables",
      "checkCanShowColumns", "checkCanShowCreateTable", "checkCanSelectFromColumns");

  private final SystemAccessControl control = new OpenWitAccessControlFactory().create(Map.of(), null);

  @Test
  void operatorsMayDoEverything() throws Exception {
    for (String user : List.of("admin", "openwit")) {
      for (Method method : accessChecks()) {
        Object[] arguments = arguments(method, user);
        Object answer;
        try {
          answer = method.invoke(control, arguments);
        } catch (InvocationTargetException e) {
          throw new AssertionError(user + " was refused " + method.getName() + ": " + e.getCause(), e.getCause());
        }
        if (method.getReturnType() == boolean.class) {
          assertThat(answer).as(user + " " + method.getName()).isEqualTo(true);
        } else if (method.getName().startsWith("filter")) {
          // every filter hands its last argument back whole
          assertThat(answer).as(user + " " + method.getName()).isEqualTo(arguments[arguments.length - 1]);
        }
      }
    }
  }

  @Test
  void tenantChangesNothingEvenInItsOwnSchema() throws Exception {
    for (Method method : accessChecks()) {
      if (method.getReturnType() != void.class) {
        continue;
      }
      Throwable refusal = null;
      try {
        method.invoke(control, arguments(method, "acme"));
      } catch (InvocationTargetException e) {
        refusal = e.getCause();
      }
      if (TENANT_MAY.contains(method.getName())) {
        assertThat(refusal).as("acme " + method.getName()).isNull();
      } else {
        assertThat(refusal).as("acme " + method.getName()).isInstanceOf(AccessDeniedException.class);
      }
    }
  }

  @Test
  void writesAreRefusedWithTheReason() {
    assertThatThrownBy(() -> control.checkCanDropTable(context("acme"), OWN_TABLE))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("openwit.acme.logs").hasMessageContaining("read-only");
    assertThatThrownBy(() -> control.checkCanCreateCatalog(context("acme"), "evil"))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("admin");
    assertThatCode(() -> control.checkCanCreateCatalog(context("admin"), "evil")).doesNotThrowAnyException();
    assertThatCode(() -> control.checkCanDropCatalog(context("openwit"), "evil")).doesNotThrowAnyException();
  }

  @Test
  void tenantReadsOnlyItsOwnSchemaOfTheIcebergCatalog() {
    SystemSecurityContext acme = context("acme");
    assertThatCode(() -> control.checkCanSelectFromColumns(acme, OWN_TABLE, Set.of("body"))).doesNotThrowAnyException();
    CatalogSchemaTableName globexLogs = new CatalogSchemaTableName("openwit", "globex", "logs");
    assertThatThrownBy(() -> control.checkCanSelectFromColumns(acme, globexLogs, Set.of("body")))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("openwit.globex.logs")
        .hasMessageContaining("openwit.acme");
    assertThatThrownBy(() -> control.checkCanShowTables(acme, new CatalogSchemaName("openwit", "globex")))
        .isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(() -> control.checkCanShowColumns(acme, globexLogs)).isInstanceOf(AccessDeniedException.class);
    assertThatCode(() -> control.checkCanSelectFromColumns(acme,
        new CatalogSchemaTableName("openwit", "information_schema", "tables"), Set.of("table_name")))
        .doesNotThrowAnyException();

    // SHOW SCHEMAS FROM openwit, information_schema and the JDBC driver list only what the filters leave
    assertThat(control.filterSchemas(acme, "openwit", Set.of("acme", "globex", "default", "information_schema")))
        .containsExactlyInAnyOrder("acme", "information_schema");
    assertThat(control.filterTables(acme, "openwit",
        Set.of(new SchemaTableName("acme", "logs"), new SchemaTableName("globex", "logs"))))
        .containsExactly(new SchemaTableName("acme", "logs"));
    assertThat(control.filterColumns(acme, globexLogs, Set.of("body"))).isEmpty();
    assertThat(control.filterColumns(acme, "openwit", Map.of(new SchemaTableName("acme", "logs"), Set.of("body"),
        new SchemaTableName("globex", "logs"), Set.of("body"))))
        .containsOnlyKeys(new SchemaTableName("acme", "logs"));
    assertThat(control.filterSchemas(context("admin"), "openwit", Set.of("acme", "globex")))
        .containsExactlyInAnyOrder("acme", "globex");
  }

  @Test
  void tenantSeesOnlyItsCatalogs() {
    Set<String> catalogs = Set.of("openwit", "search", "system", "search_acme", "tpch");
    assertThat(control.filterCatalogs(context("acme"), catalogs)).containsExactlyInAnyOrder("openwit", "search", "system");
    assertThat(control.canAccessCatalog(context("acme"), "search_acme")).isFalse();
    assertThat(control.filterCatalogs(context("admin"), catalogs)).isEqualTo(catalogs);
    assertThatThrownBy(() -> control.checkCanShowSchemas(context("acme"), "tpch")).isInstanceOf(AccessDeniedException.class);
  }

  @Test
  void tenantReadsTheSystemTablesOfTheJdbcDriverButNotOtherUsersQueries() {
    SystemSecurityContext acme = context("acme");
    assertThatCode(() -> control.checkCanSelectFromColumns(acme,
        new CatalogSchemaTableName("system", "jdbc", "tables"), Set.of("table_name"))).doesNotThrowAnyException();
    assertThatCode(() -> control.checkCanSelectFromColumns(acme,
        new CatalogSchemaTableName("system", "metadata", "catalogs"), Set.of("catalog_name"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> control.checkCanSelectFromColumns(acme,
        new CatalogSchemaTableName("system", "runtime", "queries"), Set.of("query")))
        .isInstanceOf(AccessDeniedException.class);
    assertThat(control.filterSchemas(acme, "system", Set.of("jdbc", "metadata", "runtime", "information_schema")))
        .containsExactlyInAnyOrder("jdbc", "metadata", "information_schema");
    assertThatThrownBy(() -> control.checkCanReadSystemInformation(Identity.ofUser("acme")))
        .isInstanceOf(AccessDeniedException.class);
  }

  @Test
  void tenantCallsTheSearchFunctionsButNoIcebergFunction() {
    assertThat(control.canExecuteFunction(context("acme"), SEARCH_LOGS)).isTrue();
    // table_changes names any schema: it would read another tenant's rows
    assertThat(control.canExecuteFunction(context("acme"),
        new CatalogSchemaRoutineName("openwit", "system", "table_changes"))).isFalse();
    assertThat(control.canCreateViewWithExecuteFunction(context("acme"), SEARCH_LOGS)).isFalse();
    assertThat(control.filterFunctions(context("acme"), "openwit",
        Set.of(new SchemaFunctionName("system", "table_changes")))).isEmpty();
  }

  @Test
  void tenantActsOnlyAsItself() {
    assertThatThrownBy(() -> control.checkCanImpersonateUser(Identity.ofUser("acme"), "globex"))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("globex");
    assertThatThrownBy(() -> control.checkCanImpersonateUser(Identity.ofUser("acme"), "admin"))
        .isInstanceOf(AccessDeniedException.class);
    assertThatCode(() -> control.checkCanImpersonateUser(Identity.ofUser("admin"), "acme")).doesNotThrowAnyException();
  }

  @Test
  void tenantSeesAndKillsOnlyItsOwnQueries() {
    Identity acme = Identity.ofUser("acme");
    Identity globex = Identity.ofUser("globex");
    assertThatCode(() -> control.checkCanViewQueryOwnedBy(acme, acme)).doesNotThrowAnyException();
    assertThatThrownBy(() -> control.checkCanViewQueryOwnedBy(acme, globex)).isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(() -> control.checkCanKillQueryOwnedBy(acme, globex)).isInstanceOf(AccessDeniedException.class);
    assertThat(control.filterViewQueryOwnedBy(acme, List.of(acme, globex))).containsExactly(acme);
    assertThatCode(() -> control.checkCanKillQueryOwnedBy(Identity.ofUser("admin"), globex)).doesNotThrowAnyException();
  }

  @Test
  void catalogNamesComeFromTheProperties() {
    SystemAccessControl renamed = new OpenWitAccessControlFactory()
        .create(Map.of("openwit.iceberg-catalog", "lake", "openwit.search-catalog", "fulltext"), null);
    assertThat(renamed.filterCatalogs(context("acme"), Set.of("lake", "fulltext", "openwit", "search")))
        .containsExactlyInAnyOrder("lake", "fulltext");
    assertThat(renamed.filterSchemas(context("acme"), "lake", Set.of("acme", "globex"))).containsExactly("acme");
    assertThatThrownBy(() -> new OpenWitAccessControlFactory().create(Map.of("openwit.catalog", "x"), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openwit.catalog");
  }

  /** Every access decision of the SPI, so a method added by a newer Trino is covered here too. */
  private static List<Method> accessChecks() {
    return Arrays.stream(SystemAccessControl.class.getMethods())
        .filter(method -> !Modifier.isStatic(method.getModifiers()))
        .filter(method -> !NOT_ACCESS_CHECKS.contains(method.getName()))
        .toList();
  }

  /** Arguments aimed at acme's own schema (or the search functions), from {@code user}. */
  private static Object[] arguments(Method method, String user) {
    return Stream.of(method.getGenericParameterTypes()).map(type -> argument(type, user)).toArray();
  }

  private static Object argument(Type genericType, String user) {
    Class<?> type = genericType instanceof ParameterizedType generic ? (Class<?>) generic.getRawType()
        : (Class<?>) genericType;
    // Set<X> and Map<X, ...>: an element of the kind X names
    Type element = genericType instanceof ParameterizedType generic ? generic.getActualTypeArguments()[0] : null;
    if (type == SystemSecurityContext.class) {
      return context(user);
    }
    if (type == Identity.class) {
      return Identity.ofUser(user);
    }
    if (type == String.class) {
      return "openwit";
    }
    if (type == CatalogSchemaName.class) {
      return OWN_SCHEMA;
    }
    if (type == CatalogSchemaTableName.class) {
      return OWN_TABLE;
    }
    if (type == CatalogSchemaRoutineName.class) {
      return SEARCH_LOGS;
    }
    if (type == QueryId.class) {
      return QUERY;
    }
    if (type == TrinoPrincipal.class) {
      return new TrinoPrincipal(PrincipalType.USER, "globex");
    }
    if (type == Privilege.class) {
      return Privilege.SELECT;
    }
    if (type == EntityPrivilege.class) {
      return new EntityPrivilege("SELECT");
    }
    if (type == EntityKindAndName.class) {
      return new EntityKindAndName("TABLE", List.of("openwit", "acme", "logs"));
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == Optional.class) {
      return Optional.empty();
    }
    if (type == Set.class) {
      return Set.of(argument(element, user));
    }
    if (type == Map.class) {
      return element == SchemaTableName.class ? Map.of(new SchemaTableName("acme", "logs"), Set.of("body")) : Map.of();
    }
    if (type == SchemaTableName.class) {
      return new SchemaTableName("acme", "logs");
    }
    if (type == SchemaFunctionName.class) {
      return new SchemaFunctionName("system", "logs");
    }
    if (type == Collection.class) {
      return List.of(Identity.ofUser("globex"));
    }
    throw new AssertionError("no test argument for " + type + ": add one");
  }

  private static SystemSecurityContext context(String user) {
    return new SystemSecurityContext(Identity.ofUser(user), QUERY, Instant.now());
  }
}
