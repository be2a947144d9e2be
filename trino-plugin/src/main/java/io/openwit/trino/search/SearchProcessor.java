package io.openwit.trino.search;

import static io.trino.spi.StandardErrorCode.GENERIC_INTERNAL_ERROR;

import io.trino.spi.PageBuilder;
import io.trino.spi.TrinoException;
import io.trino.spi.function.table.TableFunctionProcessorState;
import io.trino.spi.function.table.TableFunctionSplitProcessor;
import io.trino.spi.type.Type;
import io.trino.spi.type.TypeManager;
import java.io.IOException;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/** Reads a search's matches page by page from the query API, one Trino page per answer, until none remain or max_hits. */
final class SearchProcessor implements TableFunctionSplitProcessor {
  private final SearchApiClient client;
  private final TypeManager types;
  private final SearchRequest request;
  private String cursor;
  private long returned;
  private boolean finished;

  SearchProcessor(SearchApiClient client, TypeManager types, SearchRequest request) {
    this.client = client;
    this.types = types;
    this.request = request;
  }

  @Override
  public TableFunctionProcessorState process() {
    long wanted = request.maxHits() == null ? client.pageRows()
        : Math.min(client.pageRows(), request.maxHits() - returned);
    if (finished || wanted <= 0) {
      return TableFunctionProcessorState.Finished.FINISHED;
    }
    try (ArrowStreamReader answer = client.page(request, (int) wanted, cursor)) {
      VectorSchemaRoot root = answer.getVectorSchemaRoot();
      List<Type> columnTypes = ArrowColumns.types(root.getSchema(), types);
      PageBuilder page = new PageBuilder(columnTypes);
      while (answer.loadNextBatch()) {
        List<FieldVector> vectors = root.getFieldVectors();
        for (int row = 0; row < root.getRowCount(); row++) {
          page.declarePosition();
          for (int column = 0; column < vectors.size(); column++) {
            ArrowColumns.write(columnTypes.get(column), page.getBlockBuilder(column), vectors.get(column).getObject(row));
          }
        }
      }
      cursor = root.getSchema().getCustomMetadata().get(SearchApiClient.NEXT_PAGE);
      finished = cursor == null;
      returned += page.getPositionCount();
      if (page.isEmpty()) {
        return TableFunctionProcessorState.Finished.FINISHED;
      }
      return TableFunctionProcessorState.Processed.produced(page.build());
    } catch (IOException e) {
      throw new TrinoException(GENERIC_INTERNAL_ERROR, "cannot read the query API's Arrow answer", e);
    }
  }
}
