package io.openwit.pipeline.decode;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.RowData;

/**
 * One batch decoded into rows of its signal's table, every row checked against the table's schema:
 * what {@link BatchDecoder} hands the Iceberg sink's record generator. Never changed once made, so
 * operators chained together share it instead of copying it (see {@link DecodedBatchSerializer}).
 *
 * @param source the batch tracker's source: {@code BatchEvent.SOURCE_RECEIVER} or {@code SOURCE_KAFKA}
 */
@TypeInfo(DecodedBatch.TypeFactory.class)
public record DecodedBatch(String tenant, String signal, String trackingId, String source, List<RowData> rows) {

  /** Makes Flink use {@link DecodedBatchSerializer} wherever a stream of decoded batches is declared. */
  public static final class TypeFactory extends TypeInfoFactory<DecodedBatch> {
    @Override
    public TypeInformation<DecodedBatch> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
      return DecodedBatchTypeInfo.INSTANCE;
    }
  }
}
