-- Aspects schema, step 6: learner-level tables in the reporting database, each fed by a
-- materialized view over a per-domain xAPI table.
--
-- Every window function, GROUP BY and argMax below runs on ONE insert block (that is how
-- ClickHouse materialized views work): "most recent" and "last" are per block, and the
-- ReplacingMergeTree targets keep the last INSERTED row per key once merged. Load xAPI in
-- chronological batches and run OPTIMIZE … FINAL (schema.ts optimizeFinal) before reading.

-- Latest enrollment state per learner and course.
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_most_recent_enrollment
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  actor_id String,
  enrollment_status String,
  enrollment_mode LowCardinality(String),
  emission_time DateTime
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (org, course_key, actor_id)
ORDER BY (org, course_key, actor_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_most_recent_enrollment_mv
TO {{reporting_db}}.dim_most_recent_enrollment
AS
SELECT org, course_key, actor_id, enrollment_status, enrollment_mode, emission_time
FROM (
  SELECT
    org, course_key, actor_id, enrollment_status, enrollment_mode, emission_time,
    row_number() OVER (PARTITION BY org, course_key, actor_id ORDER BY emission_time DESC) AS rn
  FROM {{xapi_db}}.enrollment_events
)
WHERE rn = 1;

-- Enrollment events per day, course, mode and status (summed on merge).
CREATE TABLE IF NOT EXISTS {{reporting_db}}.fact_instance_enrollments
(
  emission_day DateTime,
  course_key LowCardinality(String),
  enrollment_mode LowCardinality(String),
  enrollment_status String,
  course_enrollment_mode_status_cnt UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(emission_day)
ORDER BY (emission_day, course_key, enrollment_mode, enrollment_status);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.fact_instance_enrollments_mv
TO {{reporting_db}}.fact_instance_enrollments
AS
SELECT
  toDateTime(date_trunc('day', emission_time)) AS emission_day,
  course_key,
  enrollment_mode,
  enrollment_status,
  count() AS course_enrollment_mode_status_cnt
FROM {{xapi_db}}.enrollment_events
GROUP BY emission_day, course_key, enrollment_mode, enrollment_status;

-- Latest course-level grade per learner. `passed` statements carry no score, so their 0 is
-- not a grade.
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_learner_most_recent_course_grade
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  actor_id String,
  course_grade Float32,
  emission_time DateTime
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (org, course_key, actor_id)
ORDER BY (org, course_key, actor_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_learner_most_recent_course_grade_mv
TO {{reporting_db}}.dim_learner_most_recent_course_grade
AS
SELECT org, course_key, actor_id, scaled_score AS course_grade, emission_time
FROM (
  SELECT
    org, course_key, actor_id, scaled_score, emission_time,
    row_number() OVER (PARTITION BY org, course_key, actor_id ORDER BY emission_time DESC) AS rn
  FROM {{xapi_db}}.grading_events
  WHERE object_id LIKE '%/course/%'
    AND NOT (verb_id = 'http://adlnet.gov/expapi/verbs/passed' AND scaled_score = 0)
)
WHERE rn = 1;

-- Latest pass/fail state per learner and course.
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_learner_most_recent_course_state
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  actor_id String,
  approving_state String,
  emission_time DateTime
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (org, course_key, actor_id)
ORDER BY (org, course_key, actor_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_learner_most_recent_course_state_mv
TO {{reporting_db}}.dim_learner_most_recent_course_state
AS
SELECT org, course_key, actor_id, approving_state, emission_time
FROM (
  SELECT
    org, course_key, actor_id, approving_state, emission_time,
    row_number() OVER (PARTITION BY org, course_key, actor_id ORDER BY emission_time DESC) AS rn
  FROM {{xapi_db}}.grading_events
  WHERE NOT empty(approving_state)
)
WHERE rn = 1;

-- Last navigation per learner and course. Partitioned by month, so one row per learner,
-- course and month survives merges: readers take max(emission_time).
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_learner_last_course_visit
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  actor_id String,
  emission_time DateTime
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
PRIMARY KEY (org, course_key, actor_id)
ORDER BY (org, course_key, actor_id)
{{ttl_clause}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_learner_last_course_visit_mv
TO {{reporting_db}}.dim_learner_last_course_visit
AS
SELECT org, course_key, actor_id, max(emission_time) AS emission_time
FROM {{xapi_db}}.navigation_events
GROUP BY org, course_key, actor_id;

-- Per learner and problem: the highest attempt and the answer given in it, with the
-- problem's outline name and graded flag (joined from the course dims at insert time).
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_learner_last_response
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  object_id String,
  problem_id String,
  actor_id String,
  interaction_type LowCardinality(String),
  attempts Int16,
  success Bool,
  emission_time DateTime,
  responses String,
  scaled_score Float32,
  display_name_with_location String,
  problem_link String,
  graded Bool,
  course_order Int32
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (org, course_key, problem_id, actor_id)
ORDER BY (org, course_key, problem_id, actor_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_learner_last_response_mv
TO {{reporting_db}}.dim_learner_last_response
AS
WITH last_responses AS (
  SELECT
    org, course_key, object_id, problem_id, actor_id, interaction_type,
    max(attempts) AS last_attempt,
    argMax(success, attempts) AS last_success,
    argMax(emission_time, attempts) AS last_emission_time,
    argMax(responses, attempts) AS last_responses,
    argMax(scaled_score, attempts) AS last_scaled_score
  FROM {{xapi_db}}.problem_events
  WHERE verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated'
  GROUP BY org, course_key, object_id, problem_id, actor_id, interaction_type
)
SELECT
  last_responses.org AS org,
  last_responses.course_key AS course_key,
  last_responses.object_id AS object_id,
  last_responses.problem_id AS problem_id,
  last_responses.actor_id AS actor_id,
  last_responses.interaction_type AS interaction_type,
  last_responses.last_attempt AS attempts,
  last_responses.last_success AS success,
  last_responses.last_emission_time AS emission_time,
  last_responses.last_responses AS responses,
  last_responses.last_scaled_score AS scaled_score,
  blocks.display_name_with_location AS display_name_with_location,
  concat('<a href="', last_responses.object_id, '" target="_blank">', blocks.display_name_with_location, '</a>')
    AS problem_link,
  blocks.graded AS graded,
  blocks.course_order AS course_order
FROM last_responses
LEFT JOIN {{reporting_db}}.dim_course_blocks AS blocks
  ON blocks.course_key = last_responses.course_key AND blocks.block_id = last_responses.problem_id;

-- One row per learner, video and watched second. Each `played` (a segment start) is paired
-- with the last pause/stop/complete/seek before the learner's next `played` of that video,
-- and every second from start to end position counts as watched once.
CREATE TABLE IF NOT EXISTS {{reporting_db}}.fact_video_segments
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  actor_id String,
  object_id String,
  video_duration Int64,
  watched_segment Int32,
  watch_count UInt64
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (org, course_key, object_id, actor_id, watched_segment)
ORDER BY (org, course_key, object_id, actor_id, watched_segment);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.fact_video_segments_mv
TO {{reporting_db}}.fact_video_segments
AS
WITH
  video_events AS (
    SELECT
      event_id, emission_time_long, org, course_key, actor_id, object_id, video_duration, video_position,
      if(verb_id = 'https://w3id.org/xapi/video/verbs/played', 'start', 'end') AS edge
    FROM {{xapi_db}}.video_playback_events
    WHERE verb_id != 'http://adlnet.gov/expapi/verbs/initialized'
  ),
  -- Rows up to (not including) a learner's next `played` share that start's id …
  by_next_start AS (
    SELECT
      *,
      first_value(event_id) FILTER (WHERE edge = 'start') OVER (
        PARTITION BY org, course_key, actor_id, object_id
        ORDER BY emission_time_long, edge
        ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_start_id
    FROM video_events
  ),
  -- … so the last row of each such run is where the previous segment ended.
  with_segment_end AS (
    SELECT
      *,
      last_value(event_id) OVER (
        PARTITION BY next_start_id, object_id, actor_id
        ORDER BY emission_time_long
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS segment_end_id
    FROM by_next_start
  ),
  segments AS (
    SELECT
      starts.org AS org,
      starts.course_key AS course_key,
      starts.actor_id AS actor_id,
      starts.object_id AS object_id,
      starts.video_duration AS video_duration,
      toInt32(starts.video_position) AS start_position,
      toInt32(ends.video_position) AS end_position
    FROM with_segment_end AS starts
    INNER JOIN with_segment_end AS ends ON ends.event_id = starts.segment_end_id
    WHERE starts.edge = 'start' AND ends.video_position > starts.video_position
  )
SELECT
  org,
  course_key,
  actor_id,
  object_id,
  video_duration,
  arrayJoin(range(greatest(start_position, 1), end_position + 1, 1)) AS watched_segment,
  count(1) AS watch_count
FROM segments
GROUP BY org, course_key, actor_id, object_id, video_duration, watched_segment;
