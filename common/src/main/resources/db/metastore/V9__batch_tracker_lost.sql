-- When the pipeline found the WAL records of a receiver batch deleted (by Kafka's retention) before
-- it read them: the batch is lost, not pending. Set rarely and by topic, partition and offset range;
-- no index, as a scan on a loss is cheaper than an index written with every batch.
ALTER TABLE batch_tracker ADD COLUMN lost_at BIGINT;
