package io.openwit.catalog.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.openwit.catalog.WarehouseLocations;
import io.openwit.common.auth.Principal;
import io.openwit.common.auth.PrincipalDecorator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.catalog.ViewCatalog;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NoSuchViewException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.RESTCatalogProperties;
import org.apache.iceberg.rest.RESTUtil;
import org.apache.iceberg.rest.requests.CreateNamespaceRequest;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.CreateViewRequest;
import org.apache.iceberg.rest.requests.RegisterTableRequest;
import org.apache.iceberg.rest.requests.RenameTableRequest;
import org.apache.iceberg.rest.requests.UpdateNamespacePropertiesRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.apache.iceberg.rest.responses.ConfigResponse;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.apache.iceberg.rest.responses.ErrorResponseParser;
import org.apache.iceberg.rest.responses.ListNamespacesResponse;
import org.apache.iceberg.rest.responses.LoadTableResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Iceberg REST catalog protocol ({@code /v1/...}) over any Iceberg catalog, each route handed to
 * Iceberg's own {@link CatalogHandlers} so the semantics are exactly the reference implementation's.
 */
public final class RestCatalogService implements HttpService {
  private static final Logger LOG = LoggerFactory.getLogger(RestCatalogService.class);
  private static final String NAMESPACE_SEPARATOR = "%1F";

  /** What this server implements, announced in {@code GET /v1/config}. */
  private static final List<Endpoint> ENDPOINTS =
      List.of(
          Endpoint.V1_LIST_NAMESPACES, Endpoint.V1_LOAD_NAMESPACE, Endpoint.V1_NAMESPACE_EXISTS,
          Endpoint.V1_CREATE_NAMESPACE, Endpoint.V1_UPDATE_NAMESPACE, Endpoint.V1_DELETE_NAMESPACE,
          Endpoint.V1_LIST_TABLES, Endpoint.V1_LOAD_TABLE, Endpoint.V1_TABLE_EXISTS,
          Endpoint.V1_CREATE_TABLE, Endpoint.V1_UPDATE_TABLE, Endpoint.V1_DELETE_TABLE,
          Endpoint.V1_RENAME_TABLE, Endpoint.V1_REGISTER_TABLE, Endpoint.V1_REPORT_METRICS,
          Endpoint.V1_LIST_VIEWS, Endpoint.V1_LOAD_VIEW, Endpoint.V1_VIEW_EXISTS,
          Endpoint.V1_CREATE_VIEW, Endpoint.V1_UPDATE_VIEW, Endpoint.V1_DELETE_VIEW,
          Endpoint.V1_RENAME_VIEW);

  private final Catalog catalog;
  private final SupportsNamespaces namespaces;
  private final ViewCatalog views;
  private final CommitObserver commits;
  private final Map<String, String> clientDefaults;
  private final LocationChecks locations;

  /** Told of every table commit that succeeded, after it did. */
  @FunctionalInterface
  public interface CommitObserver {
    CommitObserver NONE = (table, update) -> { };

    void committed(TableIdentifier table, UpdateTableRequest update);
  }

  /**
   * {@code catalog}, {@code namespaces} and {@code views} are usually one object in three roles,
   * e.g. a JdbcCatalog. {@code clientDefaults} go to every client in {@code GET /v1/config} (the FileIO settings of the
   * warehouse), below the client's own properties; never secrets.
   */
  public RestCatalogService(Catalog catalog, SupportsNamespaces namespaces, ViewCatalog views, CommitObserver commits,
      Map<String, String> clientDefaults, WarehouseLocations warehouse) {
    this.catalog = catalog;
    this.namespaces = namespaces;
    this.views = views;
    this.commits = commits;
    // a HashMap: Iceberg's builder asks containsKey(null), which immutable maps refuse
    this.clientDefaults = Collections.unmodifiableMap(new HashMap<>(clientDefaults));
    this.locations = new LocationChecks(warehouse);
  }

  /** Refusals of the door's authentication, in the protocol's error shape. */
  public static HttpResponse refusal(HttpStatus status, String message) {
    return errorResponse(status.code(), status.code() == 401 ? "NotAuthorizedException" : "ForbiddenException",
        message);
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest request) {
    Principal principal = PrincipalDecorator.of(ctx);
    return HttpResponse.of(request.aggregate()
        .thenApplyAsync(aggregated -> handleSafely(principal, aggregated), ctx.blockingTaskExecutor()));
  }

  private HttpResponse handleSafely(Principal principal, AggregatedHttpRequest request) {
    try {
      return handle(principal, request);
    } catch (RuntimeException e) {
      return error(e);
    }
  }

  private HttpResponse handle(Principal principal, AggregatedHttpRequest request) {
    HttpMethod method = request.method();
    String path = request.path();
    int query = path.indexOf('?');
    QueryParams params = query < 0 ? QueryParams.of() : QueryParams.fromQueryString(path.substring(query + 1));
    String[] parts = (query < 0 ? path : path.substring(0, query)).replaceFirst("^/v1/", "").split("/");

    Namespace namespace = parts.length >= 2 && parts[0].equals("namespaces")
        ? RESTUtil.decodeNamespace(parts[1], NAMESPACE_SEPARATOR) : null;
    CatalogAccess.check(principal, method, parts, namespace);
    if (parts.length == 1 && parts[0].equals("config") && method == HttpMethod.GET) {
      return json(ConfigResponse.builder().withEndpoints(ENDPOINTS).withDefaults(clientDefaults).build());
    }
    if (parts.length == 2 && parts[1].equals("rename") && method == HttpMethod.POST) {
      RenameTableRequest rename = body(request, RenameTableRequest.class);
      if (parts[0].equals("tables")) {
        CatalogHandlers.renameTable(catalog, rename);
        return noContent();
      }
      if (parts[0].equals("views")) {
        CatalogHandlers.renameView(views, rename);
        return noContent();
      }
    }
    if (parts.length == 0 || !parts[0].equals("namespaces")) {
      return notFound(method, path);
    }
    if (parts.length == 1) {
      if (method == HttpMethod.GET && principal.kind() == Principal.Kind.TENANT) {
        return json(ownNamespace(principal, params.get("parent")));
      }
      if (method == HttpMethod.GET) {
        String parent = params.get("parent");
        Namespace parentNamespace =
            parent == null ? Namespace.empty() : RESTUtil.namespaceFromQueryParam(parent, "\u001f");
        return json(
            paginated(params)
                ? CatalogHandlers.listNamespaces(
                    namespaces, parentNamespace, params.get("pageToken"), params.get("pageSize"))
                : CatalogHandlers.listNamespaces(namespaces, parentNamespace));
      }
      if (method == HttpMethod.POST) {
        CreateNamespaceRequest create = body(request, CreateNamespaceRequest.class);
        locations.namespaceProperties(create.properties());
        return json(CatalogHandlers.createNamespace(namespaces, create));
      }
      return notFound(method, path);
    }
    if (parts.length == 2) {
      if (method == HttpMethod.HEAD) {
        CatalogHandlers.namespaceExists(namespaces, namespace);
        return noContent();
      }
      if (method == HttpMethod.GET) {
        return json(CatalogHandlers.loadNamespace(namespaces, namespace));
      }
      if (method == HttpMethod.DELETE) {
        CatalogHandlers.dropNamespace(namespaces, namespace);
        return noContent();
      }
      return notFound(method, path);
    }
    String collection = parts[2];
    if (parts.length == 3) {
      switch (collection) {
        case "properties":
          if (method == HttpMethod.POST) {
            UpdateNamespacePropertiesRequest update = body(request, UpdateNamespacePropertiesRequest.class);
            locations.namespaceProperties(update.updates());
            return json(CatalogHandlers.updateNamespaceProperties(namespaces, namespace, update));
          }
          break;
        case "register":
          if (method == HttpMethod.POST) {
            RegisterTableRequest register = body(request, RegisterTableRequest.class);
            locations.registerTable(register);
            return json(CatalogHandlers.registerTable(catalog, namespace, register));
          }
          break;
        case "tables":
          if (method == HttpMethod.GET) {
            return json(
                paginated(params)
                    ? CatalogHandlers.listTables(catalog, namespace, params.get("pageToken"), params.get("pageSize"))
                    : CatalogHandlers.listTables(catalog, namespace));
          }
          if (method == HttpMethod.POST) {
            CreateTableRequest create = body(request, CreateTableRequest.class);
            create.validate();
            locations.createTable(create);
            return json(
                create.stageCreate()
                    ? CatalogHandlers.stageTableCreate(catalog, namespace, create)
                    : CatalogHandlers.createTable(catalog, namespace, create));
          }
          break;
        case "views":
          if (method == HttpMethod.GET) {
            return json(
                paginated(params)
                    ? CatalogHandlers.listViews(views, namespace, params.get("pageToken"), params.get("pageSize"))
                    : CatalogHandlers.listViews(views, namespace));
          }
          if (method == HttpMethod.POST) {
            CreateViewRequest create = body(request, CreateViewRequest.class);
            locations.createView(create);
            return json(CatalogHandlers.createView(views, namespace, create));
          }
          break;
        default:
          break;
      }
      return notFound(method, path);
    }
    TableIdentifier identifier = TableIdentifier.of(namespace, RESTUtil.decodeString(parts[3]));
    if (parts.length == 4 && collection.equals("tables")) {
      if (method == HttpMethod.HEAD) {
        CatalogHandlers.tableExists(catalog, identifier);
        return noContent();
      }
      if (method == HttpMethod.GET) {
        return json(
            CatalogHandlers.loadTable(
                catalog,
                identifier,
                RESTCatalogProperties.SnapshotMode.valueOf(
                    params.get("snapshots", "all").toUpperCase(Locale.ROOT))));
      }
      if (method == HttpMethod.POST) {
        UpdateTableRequest update = body(request, UpdateTableRequest.class);
        locations.update(update);
        LoadTableResponse response = CatalogHandlers.updateTable(catalog, identifier, update);
        commits.committed(identifier, update);
        return json(response);
      }
      if (method == HttpMethod.DELETE) {
        if (Boolean.parseBoolean(params.get("purgeRequested", "false"))) {
          CatalogHandlers.purgeTable(catalog, identifier);
        } else {
          CatalogHandlers.dropTable(catalog, identifier);
        }
        return noContent();
      }
    }
    if (parts.length == 4 && collection.equals("views")) {
      if (method == HttpMethod.HEAD) {
        CatalogHandlers.viewExists(views, identifier);
        return noContent();
      }
      if (method == HttpMethod.GET) {
        return json(CatalogHandlers.loadView(views, identifier));
      }
      if (method == HttpMethod.POST) {
        UpdateTableRequest update = body(request, UpdateTableRequest.class);
        locations.update(update);
        return json(CatalogHandlers.updateView(views, identifier, update));
      }
      if (method == HttpMethod.DELETE) {
        CatalogHandlers.dropView(views, identifier);
        return noContent();
      }
    }
    if (parts.length == 5 && collection.equals("tables") && parts[4].equals("metrics")
        && method == HttpMethod.POST) {
      // Scan and commit reports are accepted and not stored; clients send them after every scan.
      return noContent();
    }
    return notFound(method, path);
  }

  /** A tenant's namespace list: its own namespace, once it exists, and nothing nested. */
  private ListNamespacesResponse ownNamespace(Principal principal, String parent) {
    Namespace own = Namespace.of(principal.tenant());
    ListNamespacesResponse.Builder list = ListNamespacesResponse.builder();
    if ((parent == null || parent.isEmpty()) && namespaces.namespaceExists(own)) {
      list.add(own);
    }
    return list.build();
  }

  /** Clients ask for pages by sending pageSize; without it the whole list is the answer. */
  private static boolean paginated(QueryParams params) {
    return params.get("pageSize") != null;
  }

  private static <T> T body(AggregatedHttpRequest request, Class<T> type) {
    try {
      return RestJson.MAPPER.readValue(request.content().array(), type);
    } catch (IOException e) {
      throw new IllegalArgumentException("request body is not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static HttpResponse json(Object response) {
    try {
      return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, RestJson.MAPPER.writeValueAsBytes(response));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HttpResponse noContent() {
    return HttpResponse.of(HttpStatus.NO_CONTENT);
  }

  private static HttpResponse notFound(HttpMethod method, String path) {
    return errorResponse(400, "BadRequestException", "No route for request: " + method + " " + path);
  }

  private static HttpResponse error(RuntimeException e) {
    int code = statusOf(e);
    if (code >= 500) {
      // the details (paths, database errors) go to the log, not to whoever asked
      LOG.error("catalog request failed", e);
      return errorResponse(code, "InternalServerError", "the catalog failed to answer; its log has the cause");
    }
    return errorResponse(code, e.getClass().getSimpleName(), e.getMessage());
  }

  private static int statusOf(RuntimeException e) {
    if (e instanceof IllegalArgumentException || e instanceof ValidationException || e instanceof BadRequestException) {
      return 400;
    }
    if (e instanceof NotAuthorizedException) {
      return 401;
    }
    if (e instanceof ForbiddenException) {
      return 403;
    }
    if (e instanceof NoSuchNamespaceException || e instanceof NoSuchTableException
        || e instanceof NoSuchViewException || e instanceof NotFoundException) {
      return 404;
    }
    if (e instanceof UnsupportedOperationException) {
      return 406;
    }
    if (e instanceof AlreadyExistsException || e instanceof NamespaceNotEmptyException
        || e instanceof CommitFailedException) {
      return 409;
    }
    return 500;
  }

  private static HttpResponse errorResponse(int code, String type, String message) {
    ErrorResponse error =
        ErrorResponse.builder().responseCode(code).withType(type).withMessage(message).build();
    return HttpResponse.of(
        HttpStatus.valueOf(code), MediaType.JSON_UTF_8, ErrorResponseParser.toJson(error));
  }
}
