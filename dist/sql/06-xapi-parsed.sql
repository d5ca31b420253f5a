-- Aspects schema, step 4: common statement fields pulled out of the raw JSON once, so every
-- per-domain view reads columns instead of re-parsing the verb, actor and course.
-- Materialized view = target table + `<name>_mv TO <name>` (the shape dbt-clickhouse builds).
-- The ttl_clause placeholder is `TTL <expr>` with the `ttl` key (Tutor's ASPECTS_DATA_TTL_EXPRESSION, by
-- default one year after emission) and empty without it, on the same tables as Aspects.

CREATE TABLE IF NOT EXISTS {{xapi_db}}.xapi_events_all_parsed
(
  event_id UUID,
  verb_id LowCardinality(String),
  actor_id String,
  object_id String,
  course_id LowCardinality(String),
  course_key LowCardinality(String),
  org LowCardinality(String),
  emission_time DateTime64(6),
  event String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
PRIMARY KEY (org, course_id, verb_id, actor_id, emission_time, event_id)
ORDER BY (org, course_id, verb_id, actor_id, emission_time, event_id)
{{ttl_clause}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{xapi_db}}.xapi_events_all_parsed_mv
TO {{xapi_db}}.xapi_events_all_parsed
AS
SELECT
  event_id,
  toLowCardinality(JSON_VALUE(event, '$.verb.id')) AS verb_id,
  -- account name (anonymous id) first, then the mbox / mbox_sha1sum actor forms
  coalesce(
    nullIf(JSON_VALUE(event, '$.actor.account.name'), ''),
    nullIf(JSON_VALUE(event, '$.actor.mbox'), ''),
    JSON_VALUE(event, '$.actor.mbox_sha1sum')) AS actor_id,
  JSON_VALUE(event, '$.object.id') AS object_id,
  -- The course: the parent activity when it is a course; the grouping activity for
  -- sub-questions (whose parent is the problem); else the object itself (enrollment,
  -- course grade and pass/fail statements are about the course).
  toLowCardinality(multiIf(
    JSON_VALUE(event, '$.context.contextActivities.parent[0].definition.type')
      = 'http://adlnet.gov/expapi/activities/course',
    JSON_VALUE(event, '$.context.contextActivities.parent[0].id'),
    JSON_VALUE(event, '$.context.contextActivities.parent[0].objectType') IN ('Activity', 'GroupActivity'),
    JSON_VALUE(event, '$.context.contextActivities.grouping[0].id'),
    JSON_VALUE(event, '$.object.id'))) AS course_id,
  toLowCardinality(splitByString('/', course_id)[-1]) AS course_key,
  toLowCardinality(coalesce(get_org_from_course_url(course_id), get_org_from_ccx_course_url(course_id), ''))
    AS org,
  emission_time,
  event
FROM {{xapi_db}}.{{raw_table}};
