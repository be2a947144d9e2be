package io.openwit.common.metastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The index registry on both backends: a data file is indexed once, forgotten files empty segments, merges re-point. */
class IndexRegistryIT {
  @TempDir Path dataDir;

  private final TestMetastores metastores = new TestMetastores();

  @OnBothBackends
  void aDataFileBelongsToOneSegmentAndFollowsMerges(String backend) throws Exception {
    IndexRegistry registry = metastores.migrated(backend, dataDir).indexes();
    registry.register(segment("s1", 100, 200, 10, 1), List.of(file("a.parquet", 4), file("b.parquet", 6)), true);
    registry.register(segment("s2", 150, 300, 5, 2), List.of(file("c.parquet", 5)), true);
    registry.register(segment("empty", 0, 1, 1, 3), List.of(), true);

    assertThatThrownBy(() -> registry.register(segment("s3", 0, 1, 9, 4), List.of(file("d.parquet", 4), file("b.parquet", 6)), true))
        .isInstanceOf(IndexRegistry.AlreadyIndexedException.class)
        .hasMessageContaining("b.parquet");
    assertThat(registry.indexedFiles("acme", "logs")).containsExactlyInAnyOrder("a.parquet", "b.parquet", "c.parquet");
    assertThat(registry.liveSegments("acme", "logs", 0, 1000)).extracting(live -> live.segment().id())
        .doesNotContain("s3");

    assertThat(registry.liveSegments("acme", "logs", 250, 400)).extracting(live -> live.segment().id())
        .containsExactly("s2");
    assertThat(registry.liveSegments("acme", "logs", 0, 1000).get(1).dataFiles())
        .containsExactlyInAnyOrder("a.parquet", "b.parquet");
    assertThat(registry.liveSegments("acme", "logs", 0, 1000).get(1).segment().files())
        .containsExactly("_0.cfs", "_0.cfe", "segments_1");

    // compaction replaced a.parquet; retention dropped c.parquet, emptying s2
    List<IndexRegistry.Segment> emptied = registry.settle("acme", "logs", List.of("a.parquet", "c.parquet"));
    assertThat(emptied).extracting(IndexRegistry.Segment::id).containsExactly("s2");
    assertThat(registry.indexedFiles("acme", "logs")).containsExactly("b.parquet");

    registry.register(segment("s4", 400, 500, 3, 5), List.of(file("e.parquet", 3)), true);
    assertThat(registry.smallSegments("acme", "logs", 8)).extracting(IndexRegistry.Segment::id)
        .containsExactly("empty", "s4");
    registry.replace(Set.of("s1", "s4"), segment("merged", 100, 500, 9, 6));
    assertThat(registry.liveSegments("acme", "logs", Long.MIN_VALUE, Long.MAX_VALUE))
        .extracting(live -> live.segment().id(), live -> Set.copyOf(live.dataFiles()))
        .contains(tuple("merged", Set.of("b.parquet", "e.parquet")));
    assertThat(registry.allSegments()).extracting(IndexRegistry.Segment::id)
        .containsExactlyInAnyOrder("merged", "empty");
  }

  @OnBothBackends
  void filesThatReplaceOthersStayHiddenUntilOneSettleSwapsThem(String backend) throws Exception {
    IndexRegistry registry = metastores.migrated(backend, dataDir).indexes();
    registry.register(segment("old", 100, 200, 10, 1), List.of(file("a.parquet", 4), file("b.parquet", 6)), true);
    // compaction rewrote a and b into c, indexed in two segments' worth of work: hidden meanwhile
    registry.register(segment("new", 100, 200, 10, 2), List.of(file("c.parquet", 10)), false);

    assertThat(registry.indexedFiles("acme", "logs")).containsExactlyInAnyOrder("a.parquet", "b.parquet", "c.parquet");
    assertThat(registry.pendingFiles("acme", "logs")).containsExactly("c.parquet");
    assertThat(registry.liveSegments("acme", "logs", 0, 1000))
        .extracting(live -> live.segment().id(), live -> Set.copyOf(live.dataFiles()), IndexRegistry.LiveSegment::pendingFiles)
        .containsExactlyInAnyOrder(tuple("old", Set.of("a.parquet", "b.parquet"), List.of()),
            tuple("new", Set.of(), List.of("c.parquet")));

    List<IndexRegistry.Segment> emptied = registry.settle("acme", "logs", List.of("a.parquet", "b.parquet"));
    assertThat(emptied).extracting(IndexRegistry.Segment::id).containsExactly("old");
    assertThat(registry.pendingFiles("acme", "logs")).isEmpty();
    assertThat(registry.liveSegments("acme", "logs", 0, 1000))
        .extracting(live -> live.segment().id(), IndexRegistry.LiveSegment::dataFiles)
        .containsExactly(tuple("new", List.of("c.parquet")));
  }

  @OnBothBackends
  void segmentsInFlightAreInUseUntilRegisteredOrAbandoned(String backend) throws Exception {
    IndexRegistry registry = metastores.migrated(backend, dataDir).indexes();
    registry.startBuilding("building", "acme", "logs", "file:/warehouse/acme/logs/index/building", 5_000);
    registry.startBuilding("failing", "acme", "logs", "file:/warehouse/acme/logs/index/failing", 5_000);
    registry.startBuilding("died", "acme", "logs", "file:/warehouse/acme/logs/index/died", 1_000);
    assertThat(registry.segmentIdsInUse(2_000)).containsExactlyInAnyOrder("building", "failing");

    registry.register(segment("building", 100, 200, 10, 1), List.of(file("a.parquet", 10)), true);
    registry.abandon("failing");
    assertThat(registry.segmentIdsInUse(2_000)).containsExactly("building");
    // registered, it stays in use however old its build
    assertThat(registry.segmentIdsInUse(Long.MAX_VALUE)).containsExactly("building");
  }

  @OnBothBackends
  void attributeFieldsAreClaimedFirstComeFirstServedPerTable(String backend) throws Exception {
    IndexRegistry registry = metastores.migrated(backend, dataDir).indexes();
    assertThat(registry.claimAttributeFields("acme", "logs", List.of("attributes.a", "attributes.b"), 3))
        .containsExactlyInAnyOrder("attributes.a", "attributes.b");
    assertThat(registry.claimAttributeFields("acme", "logs", List.of("attributes.c", "attributes.d", "attributes.a"), 3))
        .containsExactlyInAnyOrder("attributes.a", "attributes.b", "attributes.c");
    assertThat(registry.claimAttributeFields("acme", "logs", List.of("attributes.e"), 3))
        .containsExactlyInAnyOrder("attributes.a", "attributes.b", "attributes.c");
    assertThat(registry.claimAttributeFields("globex", "logs", List.of("attributes.e"), 3)).containsExactly("attributes.e");
    assertThat(registry.attributeFields("acme", "logs")).containsExactlyInAnyOrder("attributes.a", "attributes.b",
        "attributes.c");
    assertThat(registry.attributeFields("acme", "spans")).isEmpty();
  }

  @OnBothBackends
  void unindexableFilesAreKeptPerTableOnceUntilForgotten(String backend) throws Exception {
    IndexRegistry registry = metastores.migrated(backend, dataDir).indexes();
    registry.markUnindexable("acme", "logs", "bad.parquet", "truncated", 1);
    registry.markUnindexable("acme", "logs", "bad.parquet", "marked again", 2);
    registry.markUnindexable("acme", "spans", "other.parquet", "x".repeat(5_000), 3);

    assertThat(registry.unindexableFiles("acme", "logs")).containsExactly("bad.parquet");
    assertThat(registry.unindexableFiles("acme", "spans")).containsExactly("other.parquet");
    registry.forgetUnindexable("acme", "logs", List.of("bad.parquet"));
    assertThat(registry.unindexableFiles("acme", "logs")).isEmpty();
    assertThat(registry.unindexableFiles("acme", "spans")).containsExactly("other.parquet");
  }

  private static IndexRegistry.Segment segment(String id, long minTime, long maxTime, long rows, long createdAt) {
    return new IndexRegistry.Segment(id, "acme", "logs", "file:/warehouse/acme/logs/index/" + id,
        List.of("_0.cfs", "_0.cfe", "segments_1"), minTime, maxTime, rows, 1234, createdAt);
  }

  private static IndexRegistry.IndexedFile file(String path, long rows) {
    return new IndexRegistry.IndexedFile(path, rows);
  }

  @AfterEach
  void dropDatabase() throws Exception {
    metastores.close();
  }
}
