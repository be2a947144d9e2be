package io.openwit.trino.security;

import static io.trino.spi.security.AccessDeniedException.denyAddColumn;
import static io.trino.spi.security.AccessDeniedException.denyAlterColumn;
import static io.trino.spi.security.AccessDeniedException.denyCommentColumn;
import static io.trino.spi.security.AccessDeniedException.denyCommentTable;
import static io.trino.spi.security.AccessDeniedException.denyCommentView;
import static io.trino.spi.security.AccessDeniedException.denyCreateCatalog;
import static io.trino.spi.security.AccessDeniedException.denyCreateFunction;
import static io.trino.spi.security.AccessDeniedException.denyCreateMaterializedView;
import static io.trino.spi.security.AccessDeniedException.denyCreateRole;
import static io.trino.spi.security.AccessDeniedException.denyCreateSchema;
import static io.trino.spi.security.AccessDeniedException.denyCreateTable;
import static io.trino.spi.security.AccessDeniedException.denyCreateView;
import static io.trino.spi.security.AccessDeniedException.denyCreateViewWithSelect;
import static io.trino.spi.security.AccessDeniedException.denyDeleteTable;
import static io.trino.spi.security.AccessDeniedException.denyDenyEntityPrivilege;
import static io.trino.spi.security.AccessDeniedException.denyDenySchemaPrivilege;
import static io.trino.spi.security.AccessDeniedException.denyDenyTablePrivilege;
import static io.trino.spi.security.AccessDeniedException.denyDropCatalog;
import static io.trino.spi.security.AccessDeniedException.denyDropColumn;
import static io.trino.spi.security.AccessDeniedException.denyDropFunction;
import static io.trino.spi.security.AccessDeniedException.denyDropMaterializedView;
import static io.trino.spi.security.AccessDeniedException.denyDropRole;
import static io.trino.spi.security.AccessDeniedException.denyDropSchema;
import static io.trino.spi.security.AccessDeniedException.denyDropTable;
import static io.trino.spi.security.AccessDeniedException.denyDropView;
import static io.trino.spi.security.AccessDeniedException.denyExecuteProcedure;
import static io.trino.spi.security.AccessDeniedException.denyExecuteTableProcedure;
import static io.trino.spi.security.AccessDeniedException.denyGrantEntityPrivilege;
import static io.trino.spi.security.AccessDeniedException.denyGrantRoles;
import static io.trino.spi.security.AccessDeniedException.denyGrantSchemaPrivilege;
import static io.trino.spi.security.AccessDeniedException.denyGrantTablePrivilege;
import static io.trino.spi.security.AccessDeniedException.denyImpersonateUser;
import static io.trino.spi.security.AccessDeniedException.denyInsertTable;
import static io.trino.spi.security.AccessDeniedException.denyKillQuery;
import static io.trino.spi.security.AccessDeniedException.denyReadSystemInformationAccess;
import static io.trino.spi.security.AccessDeniedException.denyRefreshMaterializedView;
import static io.trino.spi.security.AccessDeniedException.denyRenameColumn;
import static io.trino.spi.security.AccessDeniedException.denyRenameMaterializedView;
import static io.trino.spi.security.AccessDeniedException.denyRenameSchema;
import static io.trino.spi.security.AccessDeniedException.denyRenameTable;
import static io.trino.spi.security.AccessDeniedException.denyRenameView;
import static io.trino.spi.security.AccessDeniedException.denyRevokeEntityPrivilege;
import static io.trino.spi.security.AccessDeniedException.denyRevokeRoles;
import static io.trino.spi.security.AccessDeniedException.denyRevokeSchemaPrivilege;
import static io.trino.spi.security.AccessDeniedException.denyRevokeTablePrivilege;
import static io.trino.spi.security.AccessDeniedException.denySelectColumns;
import static io.trino.spi.security.AccessDeniedException.denySetCatalogSessionProperty;
import static io.trino.spi.security.AccessDeniedException.denySetEntityAuthorization;
import static io.trino.spi.security.AccessDeniedException.denySetMaterializedViewProperties;
import static io.trino.spi.security.AccessDeniedException.denySetSchemaAuthorization;
import static io.trino.spi.security.AccessDeniedException.denySetSystemSessionProperty;
import static io.trino.spi.security.AccessDeniedException.denySetTableAuthorization;
import static io.trino.spi.security.AccessDeniedException.denySetTableProperties;
import static io.trino.spi.security.AccessDeniedException.denySetViewAuthorization;
import static io.trino.spi.security.AccessDeniedException.denyShowColumns;
import static io.trino.spi.security.AccessDeniedException.denyShowCreateFunction;
import static io.trino.spi.security.AccessDeniedException.denyShowCreateSchema;
import static io.trino.spi.security.AccessDeniedException.denyShowCreateTable;
import static io.trino.spi.security.AccessDeniedException.denyShowCurrentRoles;
import static io.trino.spi.security.AccessDeniedException.denyShowFunctions;
import static io.trino.spi.security.AccessDeniedException.denyShowRoleGrants;
import static io.trino.spi.security.AccessDeniedException.denyShowRoles;
import static io.trino.spi.security.AccessDeniedException.denyShowSchemas;
import static io.trino.spi.security.AccessDeniedException.denyShowTables;
import static io.trino.spi.security.AccessDeniedException.denyTruncateTable;
import static io.trino.spi.security.AccessDeniedException.denyUpdateTableColumns;
import static io.trino.spi.security.AccessDeniedException.denyViewQuery;
import static io.trino.spi.security.AccessDeniedException.denyWriteSystemInformationAccess;

import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaName;
import io.trino.spi.connector.CatalogSchemaRoutineName;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.connector.EntityKindAndName;
import io.trino.spi.connector.EntityPrivilege;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.function.SchemaFunctionName;
import io.trino.spi.security.Identity;
import io.trino.spi.security.Privilege;
import io.trino.spi.security.SystemAccessControl;
import io.trino.spi.security.SystemSecurityContext;
import io.trino.spi.security.TrinoPrincipal;
import java.security.Principal;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Trino's access control with OpenWit's keys ({@code access-control.name=openwit}): the users
 * {@code admin} and {@code openwit} may do everything; every other user is a tenant, which reads
 * only what {@link TenantScope} shows it, sees and kills only its own queries, acts only as itself,
 * and changes nothing (no DDL, no DML, no catalogs, no grants). Trino's SPI denies whatever is not
 * overridden, so every method is here: an operator must never meet a default.
 */
final class OpenWitAccessControl implements SystemAccessControl {
  private static final String READ_ONLY = "tenants have read-only access";
  private static final String OPERATORS_ONLY = "only the admin and openwit users may";

  private final TenantScope scope;

  OpenWitAccessControl(TenantScope scope) {
    this.scope = scope;
  }

  private static boolean isOperator(String user) {
    return OperatorUsers.isOperator(user);
  }

  private static boolean isOperator(SystemSecurityContext context) {
    return isOperator(context.getIdentity().getUser());
  }

  /** Runs {@code deny} unless the user is an operator: for everything that changes something. */
  private static void operatorsOnly(SystemSecurityContext context, Runnable deny) {
    if (!isOperator(context)) {
      deny.run();
    }
  }

  private boolean mayRead(SystemSecurityContext context, String catalog, String schema) {
    String user = context.getIdentity().getUser();
    return isOperator(user) || scope.schemaVisible(user, catalog, schema);
  }

  private boolean mayRead(SystemSecurityContext context, CatalogSchemaTableName table) {
    return mayRead(context, table.getCatalogName(), table.getSchemaTableName().getSchemaName());
  }

  private String outOfScope(SystemSecurityContext context) {
    return scope.describe(context.getIdentity().getUser());
  }

  /** A tenant sees and stops only its own queries; operators everyone's. */
  private static boolean mayControlQueryOf(Identity identity, Identity owner) {
    return isOperator(identity.getUser()) || identity.getUser().equals(owner.getUser());
  }

  // --- who runs queries, as whom ---

  @Override
  public void checkCanImpersonateUser(Identity identity, String userName) {
    // operators may act as a tenant (for one, to search its data); a tenant's user is its tenant
    if (!isOperator(identity.getUser())) {
      denyImpersonateUser(identity.getUser(), userName, "a tenant acts only as itself");
    }
  }

  /** Trino asks this for every session; who may act as another user is {@link #checkCanImpersonateUser}. */
  @Override
  public void checkCanSetUser(Optional<Principal> principal, String userName) {}

  @Override
  public void checkCanExecuteQuery(Identity identity, QueryId queryId) {}

  @Override
  public void checkCanViewQueryOwnedBy(Identity identity, Identity queryOwner) {
    if (!mayControlQueryOf(identity, queryOwner)) {
      denyViewQuery("a tenant sees only its own queries");
    }
  }

  @Override
  public Collection<Identity> filterViewQueryOwnedBy(Identity identity, Collection<Identity> queryOwners) {
    return queryOwners.stream().filter(owner -> mayControlQueryOf(identity, owner)).toList();
  }

  @Override
  public void checkCanKillQueryOwnedBy(Identity identity, Identity queryOwner) {
    if (!mayControlQueryOf(identity, queryOwner)) {
      denyKillQuery("a tenant kills only its own queries");
    }
  }

  @Override
  public void checkCanReadSystemInformation(Identity identity) {
    if (!isOperator(identity.getUser())) {
      denyReadSystemInformationAccess(OPERATORS_ONLY);
    }
  }

  @Override
  public void checkCanWriteSystemInformation(Identity identity) {
    if (!isOperator(identity.getUser())) {
      denyWriteSystemInformationAccess(OPERATORS_ONLY);
    }
  }

  /** Session properties change how the user's own queries run, nothing it may read. */
  @Override
  public void checkCanSetSystemSessionProperty(Identity identity, QueryId queryId, String propertyName) {
    // system properties steer the engine all tenants share (memory limits, overcommit, priority)
    if (!OperatorUsers.isOperator(identity.getUser())) {
      denySetSystemSessionProperty(propertyName, "system session properties are the operators'");
    }
  }

  @Override
  public void checkCanSetCatalogSessionProperty(SystemSecurityContext context, String catalogName,
      String propertyName) {
    if (!canAccessCatalog(context, catalogName)) {
      denySetCatalogSessionProperty(catalogName, propertyName, outOfScope(context));
    }
  }

  // --- catalogs ---

  @Override
  public boolean canAccessCatalog(SystemSecurityContext context, String catalogName) {
    return isOperator(context) || scope.catalogVisible(catalogName);
  }

  @Override
  public Set<String> filterCatalogs(SystemSecurityContext context, Set<String> catalogs) {
    return isOperator(context) ? catalogs
        : catalogs.stream().filter(scope::catalogVisible).collect(Collectors.toSet());
  }

  @Override
  public void checkCanCreateCatalog(SystemSecurityContext context, String catalog) {
    operatorsOnly(context, () -> denyCreateCatalog(catalog, OPERATORS_ONLY));
  }

  @Override
  public void checkCanDropCatalog(SystemSecurityContext context, String catalog) {
    operatorsOnly(context, () -> denyDropCatalog(catalog, OPERATORS_ONLY));
  }

  // --- schemas ---

  @Override
  public void checkCanShowSchemas(SystemSecurityContext context, String catalogName) {
    if (!canAccessCatalog(context, catalogName)) {
      denyShowSchemas(outOfScope(context));
    }
  }

  @Override
  public Set<String> filterSchemas(SystemSecurityContext context, String catalogName, Set<String> schemaNames) {
    return schemaNames.stream().filter(schema -> mayRead(context, catalogName, schema)).collect(Collectors.toSet());
  }

  @Override
  public void checkCanShowCreateSchema(SystemSecurityContext context, CatalogSchemaName schemaName) {
    if (!mayRead(context, schemaName.getCatalogName(), schemaName.getSchemaName())) {
      denyShowCreateSchema(schemaName.toString(), outOfScope(context));
    }
  }

  @Override
  public void checkCanCreateSchema(SystemSecurityContext context, CatalogSchemaName schema,
      Map<String, Object> properties) {
    operatorsOnly(context, () -> denyCreateSchema(schema.toString(), READ_ONLY));
  }

  @Override
  public void checkCanDropSchema(SystemSecurityContext context, CatalogSchemaName schema) {
    operatorsOnly(context, () -> denyDropSchema(schema.toString(), READ_ONLY));
  }

  @Override
  public void checkCanRenameSchema(SystemSecurityContext context, CatalogSchemaName schema, String newSchemaName) {
    operatorsOnly(context, () -> denyRenameSchema(schema.toString(), newSchemaName, READ_ONLY));
  }

  @Override
  public void checkCanSetSchemaAuthorization(SystemSecurityContext context, CatalogSchemaName schema,
      TrinoPrincipal principal) {
    operatorsOnly(context, () -> denySetSchemaAuthorization(schema.toString(), principal, READ_ONLY));
  }

  // --- reading tables ---

  @Override
  public void checkCanShowTables(SystemSecurityContext context, CatalogSchemaName schema) {
    if (!mayRead(context, schema.getCatalogName(), schema.getSchemaName())) {
      denyShowTables(schema.toString(), outOfScope(context));
    }
  }

  @Override
  public Set<SchemaTableName> filterTables(SystemSecurityContext context, String catalogName,
      Set<SchemaTableName> tableNames) {
    return tableNames.stream().filter(table -> mayRead(context, catalogName, table.getSchemaName()))
        .collect(Collectors.toSet());
  }

  @Override
  public void checkCanShowColumns(SystemSecurityContext context, CatalogSchemaTableName table) {
    if (!mayRead(context, table)) {
      denyShowColumns(table.toString(), outOfScope(context));
    }
  }

  @Override
  public Set<String> filterColumns(SystemSecurityContext context, CatalogSchemaTableName table, Set<String> columns) {
    return mayRead(context, table) ? columns : Set.of();
  }

  @Override
  public Map<SchemaTableName, Set<String>> filterColumns(SystemSecurityContext context, String catalogName,
      Map<SchemaTableName, Set<String>> tableColumns) {
    return tableColumns.entrySet().stream()
        .filter(table -> mayRead(context, catalogName, table.getKey().getSchemaName()))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  @Override
  public void checkCanShowCreateTable(SystemSecurityContext context, CatalogSchemaTableName table) {
    if (!mayRead(context, table)) {
      denyShowCreateTable(table.toString(), outOfScope(context));
    }
  }

  @Override
  public void checkCanSelectFromColumns(SystemSecurityContext context, CatalogSchemaTableName table,
      Set<String> columns) {
    if (!mayRead(context, table)) {
      denySelectColumns(table.toString(), columns, outOfScope(context));
    }
  }

  // --- changing tables and views ---

  @Override
  public void checkCanCreateTable(SystemSecurityContext context, CatalogSchemaTableName table,
      Map<String, Object> properties) {
    operatorsOnly(context, () -> denyCreateTable(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanDropTable(SystemSecurityContext context, CatalogSchemaTableName table) {
    operatorsOnly(context, () -> denyDropTable(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanRenameTable(SystemSecurityContext context, CatalogSchemaTableName table,
      CatalogSchemaTableName newTable) {
    operatorsOnly(context, () -> denyRenameTable(table.toString(), newTable.toString(), READ_ONLY));
  }

  @Override
  public void checkCanSetTableProperties(SystemSecurityContext context, CatalogSchemaTableName table,
      Map<String, Optional<Object>> properties) {
    operatorsOnly(context, () -> denySetTableProperties(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanSetTableComment(SystemSecurityContext context, CatalogSchemaTableName table) {
    operatorsOnly(context, () -> denyCommentTable(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanSetViewComment(SystemSecurityContext context, CatalogSchemaTableName view) {
    operatorsOnly(context, () -> denyCommentView(view.toString(), READ_ONLY));
  }

  @Override
  public void checkCanSetColumnComment(SystemSecurityContext context, CatalogSchemaTableName table) {
    operatorsOnly(context, () -> denyCommentColumn(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanAddColumn(SystemSecurityContext context, CatalogSchemaTableName table) {
    operatorsOnly(context, () -> denyAddColumn(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanAlterColumn(SystemSecurityContext context, CatalogSchemaTableName table) {
    operatorsOnly(context, () -> denyAlterColumn(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanDropColumn(SystemSecurityContext context, CatalogSchemaTableName table) {
    operatorsOnly(context, () -> denyDropColumn(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanRenameColumn(SystemSecurityContext context, CatalogSchemaTableName table) {
    operatorsOnly(context, () -> denyRenameColumn(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanSetTableAuthorization(SystemSecurityContext context, CatalogSchemaTableName table,
      TrinoPrincipal principal) {
    operatorsOnly(context, () -> denySetTableAuthorization(table.toString(), principal, READ_ONLY));
  }

  @Override
  public void checkCanInsertIntoTable(SystemSecurityContext context, CatalogSchemaTableName table) {
    operatorsOnly(context, () -> denyInsertTable(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanDeleteFromTable(SystemSecurityContext context, CatalogSchemaTableName table) {
    operatorsOnly(context, () -> denyDeleteTable(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanTruncateTable(SystemSecurityContext context, CatalogSchemaTableName table) {
    operatorsOnly(context, () -> denyTruncateTable(table.toString(), READ_ONLY));
  }

  @Override
  public void checkCanUpdateTableColumns(SystemSecurityContext context, CatalogSchemaTableName table,
      Set<String> updatedColumnNames) {
    operatorsOnly(context, () -> denyUpdateTableColumns(table.toString(), updatedColumnNames, READ_ONLY));
  }

  @Override
  public void checkCanExecuteTableProcedure(SystemSecurityContext context, CatalogSchemaTableName table,
      String procedure) {
    operatorsOnly(context, () -> denyExecuteTableProcedure(table.toString(), procedure));
  }

  @Override
  public void checkCanCreateView(SystemSecurityContext context, CatalogSchemaTableName view) {
    operatorsOnly(context, () -> denyCreateView(view.toString(), READ_ONLY));
  }

  @Override
  public void checkCanRenameView(SystemSecurityContext context, CatalogSchemaTableName view,
      CatalogSchemaTableName newView) {
    operatorsOnly(context, () -> denyRenameView(view.toString(), newView.toString(), READ_ONLY));
  }

  @Override
  public void checkCanSetViewAuthorization(SystemSecurityContext context, CatalogSchemaTableName view,
      TrinoPrincipal principal) {
    operatorsOnly(context, () -> denySetViewAuthorization(view.toString(), principal, READ_ONLY));
  }

  @Override
  public void checkCanDropView(SystemSecurityContext context, CatalogSchemaTableName view) {
    operatorsOnly(context, () -> denyDropView(view.toString(), READ_ONLY));
  }

  @Override
  public void checkCanCreateViewWithSelectFromColumns(SystemSecurityContext context, CatalogSchemaTableName table,
      Set<String> columns) {
    operatorsOnly(context, () -> denyCreateViewWithSelect(table.toString(), context.getIdentity().toConnectorIdentity(),
        READ_ONLY));
  }

  @Override
  public void checkCanCreateMaterializedView(SystemSecurityContext context, CatalogSchemaTableName view,
      Map<String, Object> properties) {
    operatorsOnly(context, () -> denyCreateMaterializedView(view.toString(), READ_ONLY));
  }

  @Override
  public void checkCanRefreshMaterializedView(SystemSecurityContext context, CatalogSchemaTableName view) {
    operatorsOnly(context, () -> denyRefreshMaterializedView(view.toString(), READ_ONLY));
  }

  @Override
  public void checkCanSetMaterializedViewProperties(SystemSecurityContext context, CatalogSchemaTableName view,
      Map<String, Optional<Object>> properties) {
    operatorsOnly(context, () -> denySetMaterializedViewProperties(view.toString(), READ_ONLY));
  }

  @Override
  public void checkCanDropMaterializedView(SystemSecurityContext context, CatalogSchemaTableName view) {
    operatorsOnly(context, () -> denyDropMaterializedView(view.toString(), READ_ONLY));
  }

  @Override
  public void checkCanRenameMaterializedView(SystemSecurityContext context, CatalogSchemaTableName view,
      CatalogSchemaTableName newView) {
    operatorsOnly(context, () -> denyRenameMaterializedView(view.toString(), newView.toString(), READ_ONLY));
  }

  @Override
  public void checkCanSetEntityAuthorization(SystemSecurityContext context, EntityKindAndName entity,
      TrinoPrincipal principal) {
    operatorsOnly(context, () -> denySetEntityAuthorization(entity, principal, READ_ONLY));
  }

  // --- grants and roles ---

  @Override
  public void checkCanGrantSchemaPrivilege(SystemSecurityContext context, Privilege privilege,
      CatalogSchemaName schema, TrinoPrincipal grantee, boolean grantOption) {
    operatorsOnly(context, () -> denyGrantSchemaPrivilege(privilege.toString(), schema.toString(), OPERATORS_ONLY));
  }

  @Override
  public void checkCanDenySchemaPrivilege(SystemSecurityContext context, Privilege privilege,
      CatalogSchemaName schema, TrinoPrincipal grantee) {
    operatorsOnly(context, () -> denyDenySchemaPrivilege(privilege.toString(), schema.toString(), OPERATORS_ONLY));
  }

  @Override
  public void checkCanRevokeSchemaPrivilege(SystemSecurityContext context, Privilege privilege,
      CatalogSchemaName schema, TrinoPrincipal revokee, boolean grantOption) {
    operatorsOnly(context, () -> denyRevokeSchemaPrivilege(privilege.toString(), schema.toString(), OPERATORS_ONLY));
  }

  @Override
  public void checkCanGrantTablePrivilege(SystemSecurityContext context, Privilege privilege,
      CatalogSchemaTableName table, TrinoPrincipal grantee, boolean grantOption) {
    operatorsOnly(context, () -> denyGrantTablePrivilege(privilege.toString(), table.toString(), OPERATORS_ONLY));
  }

  @Override
  public void checkCanDenyTablePrivilege(SystemSecurityContext context, Privilege privilege,
      CatalogSchemaTableName table, TrinoPrincipal grantee) {
    operatorsOnly(context, () -> denyDenyTablePrivilege(privilege.toString(), table.toString(), OPERATORS_ONLY));
  }

  @Override
  public void checkCanRevokeTablePrivilege(SystemSecurityContext context, Privilege privilege,
      CatalogSchemaTableName table, TrinoPrincipal revokee, boolean grantOption) {
    operatorsOnly(context, () -> denyRevokeTablePrivilege(privilege.toString(), table.toString(), OPERATORS_ONLY));
  }

  @Override
  public void checkCanGrantEntityPrivilege(SystemSecurityContext context, EntityPrivilege privilege,
      EntityKindAndName entity, TrinoPrincipal grantee, boolean grantOption) {
    operatorsOnly(context, () -> denyGrantEntityPrivilege(privilege.toString(), entity, OPERATORS_ONLY));
  }

  @Override
  public void checkCanDenyEntityPrivilege(SystemSecurityContext context, EntityPrivilege privilege,
      EntityKindAndName entity, TrinoPrincipal grantee) {
    operatorsOnly(context, () -> denyDenyEntityPrivilege(privilege.toString(), entity, OPERATORS_ONLY));
  }

  @Override
  public void checkCanRevokeEntityPrivilege(SystemSecurityContext context, EntityPrivilege privilege,
      EntityKindAndName entity, TrinoPrincipal revokee, boolean grantOption) {
    operatorsOnly(context, () -> denyRevokeEntityPrivilege(privilege.toString(), entity, OPERATORS_ONLY));
  }

  @Override
  public void checkCanShowRoles(SystemSecurityContext context) {
    operatorsOnly(context, () -> denyShowRoles());
  }

  @Override
  public void checkCanCreateRole(SystemSecurityContext context, String role, Optional<TrinoPrincipal> grantor) {
    operatorsOnly(context, () -> denyCreateRole(role));
  }

  @Override
  public void checkCanDropRole(SystemSecurityContext context, String role) {
    operatorsOnly(context, () -> denyDropRole(role));
  }

  @Override
  public void checkCanGrantRoles(SystemSecurityContext context, Set<String> roles, Set<TrinoPrincipal> grantees,
      boolean adminOption, Optional<TrinoPrincipal> grantor) {
    operatorsOnly(context, () -> denyGrantRoles(roles, grantees));
  }

  @Override
  public void checkCanRevokeRoles(SystemSecurityContext context, Set<String> roles, Set<TrinoPrincipal> grantees,
      boolean adminOption, Optional<TrinoPrincipal> grantor) {
    operatorsOnly(context, () -> denyRevokeRoles(roles, grantees));
  }

  @Override
  public void checkCanShowCurrentRoles(SystemSecurityContext context) {
    operatorsOnly(context, () -> denyShowCurrentRoles());
  }

  @Override
  public void checkCanShowRoleGrants(SystemSecurityContext context) {
    operatorsOnly(context, () -> denyShowRoleGrants());
  }

  // --- procedures and functions ---

  @Override
  public void checkCanExecuteProcedure(SystemSecurityContext context, CatalogSchemaRoutineName procedure) {
    operatorsOnly(context, () -> denyExecuteProcedure(procedure.toString(), READ_ONLY));
  }

  @Override
  public boolean canExecuteFunction(SystemSecurityContext context, CatalogSchemaRoutineName function) {
    return isOperator(context) || scope.functionsCallable(function.getCatalogName());
  }

  @Override
  public boolean canCreateViewWithExecuteFunction(SystemSecurityContext context, CatalogSchemaRoutineName function) {
    return isOperator(context);
  }

  @Override
  public void checkCanShowFunctions(SystemSecurityContext context, CatalogSchemaName schema) {
    if (!isOperator(context) && !scope.functionsListed(schema.getCatalogName())) {
      denyShowFunctions(schema.toString(), outOfScope(context));
    }
  }

  @Override
  public Set<SchemaFunctionName> filterFunctions(SystemSecurityContext context, String catalogName,
      Set<SchemaFunctionName> functionNames) {
    return isOperator(context) || scope.functionsListed(catalogName) ? functionNames : Set.of();
  }

  @Override
  public void checkCanCreateFunction(SystemSecurityContext context, CatalogSchemaRoutineName function) {
    operatorsOnly(context, () -> denyCreateFunction(function.toString(), READ_ONLY));
  }

  @Override
  public void checkCanDropFunction(SystemSecurityContext context, CatalogSchemaRoutineName function) {
    operatorsOnly(context, () -> denyDropFunction(function.toString(), READ_ONLY));
  }

  @Override
  public void checkCanShowCreateFunction(SystemSecurityContext context, CatalogSchemaRoutineName function) {
    operatorsOnly(context, () -> denyShowCreateFunction(function.toString(), OPERATORS_ONLY));
  }
}
