-- Aspects schema, step 5a: one table per event family, each fed by a materialized view over
-- xapi_events_all_parsed. Every view keeps Aspects' WHERE filter and column expressions, so a
-- statement that Aspects would drop (or fail on) behaves the same way here.
-- Note: problem_events CASTs the attempt id and result.success of `evaluated` statements; a
-- statement without them makes the INSERT into the raw table fail, as in Aspects.

CREATE TABLE IF NOT EXISTS {{xapi_db}}.enrollment_events
(
  event_id UUID,
  emission_time DateTime,
  actor_id String,
  object_id String,
  course_key LowCardinality(String),
  org LowCardinality(String),
  verb_id LowCardinality(String),
  enrollment_mode LowCardinality(String),
  enrollment_status String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
PRIMARY KEY (org, course_key)
ORDER BY (org, course_key, emission_time, actor_id, enrollment_mode, enrollment_status, event_id)
{{ttl_clause}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{xapi_db}}.enrollment_events_mv
TO {{xapi_db}}.enrollment_events
AS
SELECT
  event_id,
  CAST(emission_time AS DateTime) AS emission_time,
  actor_id,
  object_id,
  course_key,
  org,
  verb_id,
  toLowCardinality(JSON_VALUE(event, '$.object.definition.extensions."https://w3id.org/xapi/acrossx/extensions/type"'))
    AS enrollment_mode,
  -- `registered` / `unregistered`
  splitByString('/', verb_id)[-1] AS enrollment_status
FROM {{xapi_db}}.xapi_events_all_parsed
WHERE verb_id IN ('http://adlnet.gov/expapi/verbs/registered', 'http://id.tincanapi.com/verb/unregistered');

CREATE TABLE IF NOT EXISTS {{xapi_db}}.grading_events
(
  event_id UUID,
  emission_time DateTime,
  actor_id String,
  object_id String,
  course_key LowCardinality(String),
  org LowCardinality(String),
  verb_id LowCardinality(String),
  scaled_score Float32,
  approving_state String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
PRIMARY KEY (org, course_key, verb_id)
ORDER BY (org, course_key, verb_id, emission_time, actor_id, object_id, scaled_score, event_id)
{{ttl_clause}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{xapi_db}}.grading_events_mv
TO {{xapi_db}}.grading_events
AS
SELECT
  event_id,
  CAST(emission_time AS DateTime) AS emission_time,
  actor_id,
  object_id,
  course_key,
  org,
  verb_id,
  toFloat32(JSONExtractFloat(event, 'result', 'score', 'scaled')) AS scaled_score,
  -- Only the Pass/Fail grade classification is mapped; letter grades leave it empty.
  multiIf(
    JSON_VALUE(event, '$.result.extensions."http://www.tincanapi.co.uk/activitytypes/grade_classification"') = 'Fail',
    'failed',
    JSON_VALUE(event, '$.result.extensions."http://www.tincanapi.co.uk/activitytypes/grade_classification"') = 'Pass',
    'passed',
    verb_id = 'http://adlnet.gov/expapi/verbs/passed', 'passed',
    verb_id = 'http://adlnet.gov/expapi/verbs/failed', 'failed',
    '') AS approving_state
FROM {{xapi_db}}.xapi_events_all_parsed
WHERE verb_id IN ('http://id.tincanapi.com/verb/earned', 'https://w3id.org/xapi/acrossx/verbs/evaluated')
  OR (
    verb_id IN ('http://adlnet.gov/expapi/verbs/passed', 'http://adlnet.gov/expapi/verbs/failed')
    AND JSON_VALUE(event, '$.object.definition.type') = 'http://adlnet.gov/expapi/activities/course');

CREATE TABLE IF NOT EXISTS {{xapi_db}}.navigation_events
(
  event_id UUID,
  emission_time DateTime,
  actor_id String,
  object_id String,
  block_id String,
  course_key LowCardinality(String),
  org LowCardinality(String),
  verb_id LowCardinality(String),
  object_type String,
  starting_position Int64,
  ending_point String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
PRIMARY KEY (org, course_key, object_type)
ORDER BY (org, course_key, object_type, emission_time, actor_id, starting_position, event_id)
{{ttl_clause}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{xapi_db}}.navigation_events_mv
TO {{xapi_db}}.navigation_events
AS
SELECT
  event_id,
  CAST(emission_time AS DateTime) AS emission_time,
  actor_id,
  object_id,
  splitByString('/xblock/', object_id)[-1] AS block_id,
  course_key,
  org,
  verb_id,
  JSONExtractString(event, 'object', 'definition', 'type') AS object_type,
  -- Links and outline jumps carry no tab position.
  if(
    object_type IN ('http://adlnet.gov/expapi/activities/link', 'http://adlnet.gov/expapi/activities/module'),
    0,
    JSONExtractInt(event, 'context', 'extensions', 'http://id.tincanapi.com/extension/starting-position'))
    AS starting_position,
  JSONExtractString(event, 'context', 'extensions', 'http://id.tincanapi.com/extension/ending-point')
    AS ending_point
FROM {{xapi_db}}.xapi_events_all_parsed
WHERE verb_id = 'https://w3id.org/xapi/dod-isd/verbs/navigated';

CREATE TABLE IF NOT EXISTS {{xapi_db}}.problem_events
(
  event_id UUID,
  emission_time DateTime,
  actor_id String,
  object_id String,
  problem_id String,
  course_key LowCardinality(String),
  org LowCardinality(String),
  verb_id LowCardinality(String),
  responses String,
  scaled_score Float32,
  success Bool,
  interaction_type LowCardinality(String),
  attempts Int16
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
PRIMARY KEY (org, course_key, verb_id)
ORDER BY (org, course_key, verb_id, emission_time, actor_id, object_id, responses, success, event_id)
{{ttl_clause}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{xapi_db}}.problem_events_mv
TO {{xapi_db}}.problem_events
AS
SELECT
  event_id,
  CAST(emission_time AS DateTime) AS emission_time,
  actor_id,
  object_id,
  -- The problem's usage key: drops a sub-question suffix (`_2_1`) and the `/answer` or
  -- `/hint/N` tails of `asked` statements.
  regexpExtract(object_id, 'xblock/([\\w+:@-]*@problem\\+block@\\w[^_/]*)(_\\d_\\d)?', 1) AS problem_id,
  course_key,
  org,
  verb_id,
  JSON_VALUE(event, '$.result.response') AS responses,
  toFloat32(JSONExtractFloat(event, 'result', 'score', 'scaled')) AS scaled_score,
  if(
    verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated',
    CAST(JSON_VALUE(event, '$.result.success') AS Bool),
    false) AS success,
  toLowCardinality(JSON_VALUE(event, '$.object.definition.interactionType')) AS interaction_type,
  if(
    verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated',
    CAST(JSON_VALUE(event, '$.object.definition.extensions."http://id.tincanapi.com/extension/attempt-id"') AS Int16),
    0) AS attempts
FROM {{xapi_db}}.xapi_events_all_parsed
WHERE verb_id IN (
  'https://w3id.org/xapi/acrossx/verbs/evaluated',
  'http://adlnet.gov/expapi/verbs/passed',
  'http://adlnet.gov/expapi/verbs/asked');

CREATE TABLE IF NOT EXISTS {{xapi_db}}.video_playback_events
(
  event_id UUID,
  emission_time DateTime,
  emission_time_long DateTime64(6),
  actor_id String,
  object_id String,
  course_key LowCardinality(String),
  org LowCardinality(String),
  verb_id LowCardinality(String),
  video_duration Int64,
  video_position Decimal32(2)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
PRIMARY KEY (org, course_key, verb_id)
ORDER BY (org, course_key, verb_id, emission_time, actor_id, video_position, event_id)
{{ttl_clause}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{xapi_db}}.video_playback_events_mv
TO {{xapi_db}}.video_playback_events
AS
WITH
  -- Seconds into the video, rounded up: `time`, or `time-from` for seeks.
  ceil(CAST(coalesce(
    nullIf(JSON_VALUE(event, '$.result.extensions."https://w3id.org/xapi/video/extensions/time"'), ''),
    nullIf(JSON_VALUE(event, '$.result.extensions."https://w3id.org/xapi/video/extensions/time-from"'), ''),
    '0.0') AS Decimal32(2))) AS position_seconds
SELECT
  event_id,
  CAST(emission_time AS DateTime) AS emission_time,
  emission_time AS emission_time_long,
  actor_id,
  object_id,
  course_key,
  org,
  verb_id,
  JSONExtractInt(event, 'context', 'extensions', 'https://w3id.org/xapi/video/extensions/length') AS video_duration,
  -- A `played` that starts at the very end of the video (a replay) counts as starting at second 1.
  if(verb_id = 'https://w3id.org/xapi/video/verbs/played' AND position_seconds = video_duration, 1, position_seconds)
    AS video_position
FROM {{xapi_db}}.xapi_events_all_parsed
WHERE verb_id IN (
    'http://adlnet.gov/expapi/verbs/completed',
    'http://adlnet.gov/expapi/verbs/initialized',
    'http://adlnet.gov/expapi/verbs/terminated',
    'https://w3id.org/xapi/video/verbs/paused',
    'https://w3id.org/xapi/video/verbs/played',
    'https://w3id.org/xapi/video/verbs/seeked')
  AND object_id LIKE '%video+block%';
