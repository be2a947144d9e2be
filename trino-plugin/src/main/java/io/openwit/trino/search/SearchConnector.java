package io.openwit.trino.search;

import io.trino.spi.connector.Connector;
import io.trino.spi.connector.ConnectorMetadata;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplit;
import io.trino.spi.connector.ConnectorSplitManager;
import io.trino.spi.connector.ConnectorSplitSource;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.FixedSplitSource;
import io.trino.spi.function.FunctionProvider;
import io.trino.spi.function.table.ConnectorTableFunction;
import io.trino.spi.function.table.ConnectorTableFunctionHandle;
import io.trino.spi.function.table.TableFunctionProcessorProvider;
import io.trino.spi.function.table.TableFunctionProcessorProviderFactory;
import io.trino.spi.function.table.TableFunctionSplitProcessor;
import io.trino.spi.transaction.IsolationLevel;
import io.trino.spi.type.TypeManager;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code openwit_search} connector: no tables, two table functions, {@code system.logs} and
 * {@code system.spans}, that return the rows the query API's full-text search finds.
 */
public final class SearchConnector implements Connector {
  /** The connector reads through the query API, which has no transactions. */
  public enum Transaction implements ConnectorTransactionHandle {
    INSTANCE
  }

  private final SearchApiClient client;
  private final TypeManager types;
  private final Set<ConnectorTableFunction> functions;

  SearchConnector(SearchApiClient client, TypeManager types) {
    this.client = client;
    this.types = types;
    this.functions = Set.of(new SearchFunction("logs", "logs", client, types),
        new SearchFunction("spans", "traces", client, types));
  }

  @Override
  public ConnectorTransactionHandle beginTransaction(IsolationLevel isolationLevel, boolean readOnly,
      boolean autoCommit) {
    return Transaction.INSTANCE;
  }

  @Override
  public void shutdown() {
    client.close();
  }

  @Override
  public ConnectorMetadata getMetadata(ConnectorSession session, ConnectorTransactionHandle transaction) {
    return new ConnectorMetadata() {};
  }

  @Override
  public Set<ConnectorTableFunction> getTableFunctions() {
    return functions;
  }

  @Override
  public ConnectorSplitManager getSplitManager() {
    return new ConnectorSplitManager() {
      @Override
      public ConnectorSplitSource getSplits(ConnectorTransactionHandle transaction, ConnectorSession session,
          ConnectorTableFunctionHandle function) {
        return new FixedSplitSource(new SearchSplit((SearchRequest) function));
      }
    };
  }

  @Override
  public Optional<FunctionProvider> getFunctionProvider() {
    TableFunctionProcessorProvider processors = new TableFunctionProcessorProvider() {
      @Override
      public TableFunctionSplitProcessor getSplitProcessor(ConnectorSession session,
          ConnectorTableFunctionHandle function, ConnectorSplit split) {
        return new SearchProcessor(client, types, ((SearchSplit) split).request());
      }
    };
    TableFunctionProcessorProviderFactory factory = () -> processors;
    return Optional.of(new FunctionProvider() {
      @Override
      public TableFunctionProcessorProviderFactory getTableFunctionProcessorProviderFactory(
          ConnectorTableFunctionHandle function) {
        return factory;
      }
    });
  }
}
