-- Aspects schema, step 5b: instance-wide activity counters for the Operator dashboard.
-- HyperLogLog-style states per day/hour; read them with uniqCombinedMerge(…) (approximate).

CREATE TABLE IF NOT EXISTS {{xapi_db}}.fact_instance_events
(
  emission_day DateTime,
  events_cnt AggregateFunction(uniqCombined, UUID)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(emission_day)
ORDER BY emission_day;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{xapi_db}}.fact_instance_events_mv
TO {{xapi_db}}.fact_instance_events
AS
SELECT toDateTime(date_trunc('day', emission_time)) AS emission_day, uniqCombinedState(event_id) AS events_cnt
FROM {{xapi_db}}.xapi_events_all_parsed
GROUP BY emission_day;

CREATE TABLE IF NOT EXISTS {{xapi_db}}.fact_instance_actors
(
  emission_day DateTime,
  actors_cnt AggregateFunction(uniqCombined, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(emission_day)
ORDER BY emission_day;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{xapi_db}}.fact_instance_actors_mv
TO {{xapi_db}}.fact_instance_actors
AS
SELECT toDateTime(date_trunc('day', emission_time)) AS emission_day, uniqCombinedState(actor_id) AS actors_cnt
FROM {{xapi_db}}.xapi_events_all_parsed
GROUP BY emission_day;

CREATE TABLE IF NOT EXISTS {{xapi_db}}.fact_instance_courses
(
  emission_hour DateTime,
  courses_cnt AggregateFunction(uniqCombined, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(emission_hour)
ORDER BY emission_hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{xapi_db}}.fact_instance_courses_mv
TO {{xapi_db}}.fact_instance_courses
AS
SELECT
  toDateTime(date_trunc('hour', emission_time)) AS emission_hour,
  uniqCombinedState(toString(course_id)) AS courses_cnt
FROM {{xapi_db}}.xapi_events_all_parsed
GROUP BY emission_hour;
