package io.openwit.trino.search;

import static io.trino.spi.StandardErrorCode.INVALID_FUNCTION_ARGUMENT;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.TimestampWithTimeZoneType.TIMESTAMP_TZ_MILLIS;
import static io.trino.spi.type.VarcharType.VARCHAR;

import io.airlift.slice.Slice;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.function.table.AbstractConnectorTableFunction;
import io.trino.spi.function.table.Argument;
import io.trino.spi.function.table.Descriptor;
import io.trino.spi.function.table.ReturnTypeSpecification;
import io.trino.spi.function.table.ScalarArgument;
import io.trino.spi.function.table.ScalarArgumentSpecification;
import io.trino.spi.function.table.TableFunctionAnalysis;
import io.trino.spi.type.DateTimeEncoding;
import io.trino.spi.type.TypeManager;
import java.util.List;
import java.util.Map;

/**
 * {@code system.logs(query => ..., start_time => ..., end_time => ..., max_hits => ...)} and
 * {@code system.spans(...)}: the rows of the table that match the query, newest first, with the
 * table's columns, from the session user's tenant. The columns come from the query API's own
 * answer, so they follow the table.
 */
final class SearchFunction extends AbstractConnectorTableFunction {
  private static final String QUERY = "QUERY";
  private static final String START_TIME = "START_TIME";
  private static final String END_TIME = "END_TIME";
  private static final String MAX_HITS = "MAX_HITS";

  private final String signal;
  private final SearchApiClient client;
  private final TypeManager types;

  SearchFunction(String name, String signal, SearchApiClient client, TypeManager types) {
    super("system", name, List.of(
            ScalarArgumentSpecification.builder().name(QUERY).type(VARCHAR).build(),
            ScalarArgumentSpecification.builder().name(START_TIME).type(TIMESTAMP_TZ_MILLIS).defaultValue(null).build(),
            ScalarArgumentSpecification.builder().name(END_TIME).type(TIMESTAMP_TZ_MILLIS).defaultValue(null).build(),
            ScalarArgumentSpecification.builder().name(MAX_HITS).type(BIGINT).defaultValue(null).build()),
        ReturnTypeSpecification.GenericTable.GENERIC_TABLE);
    this.signal = signal;
    this.client = client;
    this.types = types;
  }

  @Override
  public TableFunctionAnalysis analyze(ConnectorSession session, ConnectorTransactionHandle transaction,
      Map<String, Argument> arguments, ConnectorAccessControl accessControl) {
    Object query = ((ScalarArgument) arguments.get(QUERY)).getValue();
    if (query == null) {
      throw new TrinoException(INVALID_FUNCTION_ARGUMENT, "query must not be null; use '*' to match every row");
    }
    Long maxHits = (Long) ((ScalarArgument) arguments.get(MAX_HITS)).getValue();
    if (maxHits != null && maxHits < 0) {
      throw new TrinoException(INVALID_FUNCTION_ARGUMENT, "max_hits must not be negative, got " + maxHits);
    }
    // the session's user, after any impersonation Trino's access control allowed, is the tenant searched
    SearchRequest request = new SearchRequest(session.getUser(), signal, ((Slice) query).toStringUtf8(),
        millis(arguments, START_TIME), millis(arguments, END_TIME), maxHits);
    // one empty page answers the columns and checks the query, so a bad query fails at analysis
    Descriptor columns = client.columns(request, types);
    return TableFunctionAnalysis.builder().returnedType(columns).handle(request).build();
  }

  private static Long millis(Map<String, Argument> arguments, String name) {
    Object packed = ((ScalarArgument) arguments.get(name)).getValue();
    return packed == null ? null : DateTimeEncoding.unpackMillisUtc((Long) packed);
  }
}
