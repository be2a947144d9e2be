package io.openwit.pipeline.decode;

import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.Signal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.iceberg.flink.FlinkSchemaUtil;

/**
 * Serializer of {@link DecodedBatch}. A decoded batch is immutable, so {@link #copy} hands over the
 * same instance: Flink copies every record passed between chained operators when object reuse is off,
 * and a deep copy of thousands of rows would cost as much as decoding them again. Across the network
 * (only if the job's operators are not chained) the rows go as binary rows of their table's row type.
 */
public final class DecodedBatchSerializer extends TypeSerializer<DecodedBatch> {
  private static final long serialVersionUID = 1L;

  private transient Map<Signal, RowDataSerializer> rowSerializers;

  private RowDataSerializer rowSerializer(String signal) {
    if (rowSerializers == null) {
      rowSerializers = new EnumMap<>(Signal.class);
      for (Signal each : Signal.values()) {
        rowSerializers.put(each, new RowDataSerializer(FlinkSchemaUtil.convert(TableSchemas.forSignal(each).schema())));
      }
    }
    return rowSerializers.get(Signal.fromHeaderValue(signal));
  }

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public TypeSerializer<DecodedBatch> duplicate() {
    // the row serializers reuse buffers, so each thread gets its own
    return new DecodedBatchSerializer();
  }

  @Override
  public DecodedBatch createInstance() {
    return new DecodedBatch(null, null, null, null, List.of());
  }

  @Override
  public DecodedBatch copy(DecodedBatch from) {
    return from;
  }

  @Override
  public DecodedBatch copy(DecodedBatch from, DecodedBatch reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(DecodedBatch batch, DataOutputView target) throws IOException {
    target.writeUTF(batch.tenant());
    target.writeUTF(batch.signal());
    target.writeUTF(batch.trackingId());
    target.writeUTF(batch.source());
    RowDataSerializer rows = rowSerializer(batch.signal());
    target.writeInt(batch.rows().size());
    for (RowData row : batch.rows()) {
      rows.serialize(row, target);
    }
  }

  @Override
  public DecodedBatch deserialize(DataInputView source) throws IOException {
    String tenant = source.readUTF();
    String signal = source.readUTF();
    String trackingId = source.readUTF();
    String batchSource = source.readUTF();
    RowDataSerializer serializer = rowSerializer(signal);
    int count = source.readInt();
    List<RowData> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(serializer.deserialize(source));
    }
    return new DecodedBatch(tenant, signal, trackingId, batchSource, rows);
  }

  @Override
  public DecodedBatch deserialize(DecodedBatch reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DecodedBatchSerializer;
  }

  @Override
  public int hashCode() {
    return DecodedBatchSerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<DecodedBatch> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer has no configuration: a snapshot only names it. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<DecodedBatch> {
    public Snapshot() {
      super(DecodedBatchSerializer::new);
    }
  }
}
