package io.openwit.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.iceberg.exceptions.BadRequestException;
import org.junit.jupiter.api.Test;

class WarehouseLocationsTest {
  private final WarehouseLocations local = new WarehouseLocations("file:/data/warehouse");
  private final WarehouseLocations s3 = new WarehouseLocations("s3://lake/warehouse/");

  @Test
  void everySpellingOfAPlaceInsideIsInside() {
    for (String table : new String[] {"file:/data/warehouse/acme/spans", "file:///data/warehouse/acme/spans/",
        "/data/warehouse/acme/spans", "file:/data//warehouse/acme/spans"}) {
      assertThat(local.holdsTable(table)).as(table).isTrue();
    }
    assertThat(s3.holdsTable("s3a://lake/warehouse/acme/spans")).isTrue();
  }

  @Test
  void elsewhereOrTooHighUpIsRefused() {
    assertThat(local.contains("file:/data/warehouse-other/acme")).isFalse();
    assertThat(local.contains("file:/data/warehouse")).as("the root itself").isFalse();
    assertThat(local.holdsTable("file:/data/warehouse/acme")).as("a whole namespace").isFalse();
    assertThat(s3.contains("s3://other-bucket/warehouse/acme/spans")).isFalse();
    assertThatThrownBy(() -> local.checkTable("file:/tmp/acme/spans", "table location"))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("table location");
    assertThatCode(() -> local.checkNamespace("file:/data/warehouse/acme", "namespace location"))
        .doesNotThrowAnyException();
  }

  @Test
  void locationsReadDifferentlyByParsersAndFileSystemsAreRefused() {
    for (String trick : new String[] {"file:/data/warehouse/acme/../../../etc", "file:/data/warehouse/acme/t?/../../etc",
        "file:/data/warehouse/acme/t#/../x", "file:/data/warehouse/./acme/t",
        "file:/data/warehouse/acme\\..\\x"}) {
      assertThat(local.contains(trick)).as(trick).isFalse();
    }
  }
}
