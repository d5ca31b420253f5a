-- Aspects schema, step 2a: the raw xAPI table that Ralph (or a direct loader) writes.
-- `event` is the whole statement as JSON text; Aspects deliberately keeps it a plain String.
-- ReplacingMergeTree on (emission_time, event_id) collapses re-sent statements on merge.
-- No TTL, as in Aspects.

CREATE TABLE IF NOT EXISTS {{xapi_db}}.{{raw_table}}
(
  event_id UUID NOT NULL,
  emission_time DateTime64(6) NOT NULL,
  event String NOT NULL
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
PRIMARY KEY (emission_time, event_id)
ORDER BY (emission_time, event_id);
