package io.openwit.pipeline.decode;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's type information for {@link DecodedBatch}: its serializer is {@link DecodedBatchSerializer}. */
public final class DecodedBatchTypeInfo extends TypeInformation<DecodedBatch> {
  private static final long serialVersionUID = 1L;
  public static final DecodedBatchTypeInfo INSTANCE = new DecodedBatchTypeInfo();

  private DecodedBatchTypeInfo() {}

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<DecodedBatch> getTypeClass() {
    return DecodedBatch.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<DecodedBatch> createSerializer(SerializerConfig config) {
    return new DecodedBatchSerializer();
  }

  @Override
  public String toString() {
    return "DecodedBatch";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DecodedBatchTypeInfo;
  }

  @Override
  public int hashCode() {
    return DecodedBatchTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof DecodedBatchTypeInfo;
  }
}
