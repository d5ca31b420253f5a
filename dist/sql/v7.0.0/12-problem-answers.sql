-- Aspects schema, step 9 for aspects-dbt v7.0.0: the problem-answer models as v7.0.0 has them
-- (first-success results, responses with their emission_time, and dim_subsection_performance,
-- which v8.0.0 dropped). See 11-dashboard-models.sql for how the materialized views see data.

-- Per problem, answer and correctness: how many learners gave that answer on their FIRST
-- attempt. List answers (`["a", "b"]`) count once per item; hint markup is stripped.
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_problem_responses
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  emission_time DateTime,
  block_id_short String,
  response String,
  success Bool,
  interaction_type LowCardinality(String),
  problem_number String,
  problem_name_location String,
  response_count UInt64
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (course_key, block_id_short, response)
ORDER BY (course_key, block_id_short, response);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_problem_responses_mv
TO {{reporting_db}}.dim_problem_responses
AS
WITH
  first_responses AS (
    SELECT
      org, course_key, object_id, problem_id, actor_id, interaction_type,
      argMin(success, attempts) AS first_success,
      argMin(emission_time, attempts) AS first_emission_time,
      argMin(responses, attempts) AS first_responses
    FROM {{xapi_db}}.problem_events
    WHERE verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated'
    GROUP BY org, course_key, object_id, problem_id, actor_id, interaction_type
  ),
  answers AS (
    SELECT
      first_responses.org AS org,
      first_responses.course_key AS course_key,
      first_responses.first_emission_time AS emission_time,
      splitByChar('@', first_responses.problem_id)[3] AS block_id_short,
      replaceRegexpAll(
        replaceRegexpAll(first_responses.first_responses, '<.*?hint.*?</.*?hint>|</div>|<div>|\\[|\\]', ''),
        '",(\\s|)"', ',') AS cleaned,
      -- arrayJoin runs before the condition, so a plain answer is split too; a comma in
      -- it yields one row per part, as in Aspects.
      if(first_responses.first_responses LIKE '[%', arrayJoin(splitByChar(',', replaceAll(cleaned, '"', ''))), cleaned)
        AS response,
      first_responses.first_success AS success,
      first_responses.interaction_type AS interaction_type,
      aspects_problem_number(first_responses.object_id, blocks.display_name_with_location) AS problem_number,
      concat(problem_number, ' - ', splitByString(' - ', blocks.display_name_with_location)[2]) AS problem_name_location
    FROM first_responses
    LEFT JOIN {{reporting_db}}.dim_course_blocks AS blocks
      ON blocks.course_key = toString(first_responses.course_key) AND blocks.block_id = first_responses.problem_id
  )
SELECT
  org, course_key, emission_time, block_id_short, response, success, interaction_type, problem_number,
  problem_name_location, count() AS response_count
FROM answers
GROUP BY
  org, course_key, emission_time, block_id_short, response, success, interaction_type, problem_number,
  problem_name_location;

-- Per problem: each learner who answered it correctly, with the attempt of their earliest
-- correct answer; a problem nobody answered correctly keeps one row with an empty learner.
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_problem_results
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  success Bool,
  attempts Int16,
  actor_id String,
  problem_number String,
  problem_name_location String,
  block_id_short String
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (course_key, block_id_short, actor_id)
ORDER BY (course_key, block_id_short, actor_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_problem_results_mv
TO {{reporting_db}}.dim_problem_results
AS
WITH
  answered AS (
    SELECT DISTINCT org, course_key, object_id, problem_id
    FROM {{xapi_db}}.problem_events
    WHERE verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated'
  ),
  first_correct AS (
    SELECT org, course_key, object_id, actor_id, success, argMin(attempts, emission_time) AS attempts
    FROM {{xapi_db}}.problem_events
    WHERE verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated' AND success
    GROUP BY org, course_key, object_id, actor_id, success
  ),
  results AS (
    SELECT
      answered.org AS org,
      answered.course_key AS course_key,
      first_correct.success AS success,
      first_correct.attempts AS attempts,
      first_correct.actor_id AS actor_id,
      splitByChar('@', answered.problem_id)[3] AS block_id_short,
      aspects_problem_number(answered.object_id, blocks.display_name_with_location) AS problem_number,
      concat(problem_number, ' - ', splitByString(' - ', blocks.display_name_with_location)[2]) AS problem_name_location
    FROM answered
    LEFT JOIN {{reporting_db}}.dim_course_blocks AS blocks
      ON blocks.course_key = toString(answered.course_key) AND blocks.block_id = answered.problem_id
    LEFT JOIN first_correct
      ON first_correct.org = answered.org
      AND first_correct.course_key = answered.course_key
      AND first_correct.object_id = answered.object_id
  )
SELECT DISTINCT org, course_key, success, attempts, actor_id, problem_number, problem_name_location, block_id_short
FROM results;

-- Per graded subsection: learners by their average problem score (0%, 1-30%, …, >90%) and the
-- subsection's average score. Removed in aspects-dbt v8.0.0.
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_subsection_performance
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  block_id String,
  total_avg Float32,
  score_range String,
  score_range_count UInt64
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (org, course_key, block_id, score_range)
ORDER BY (org, course_key, block_id, score_range);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_subsection_performance_mv
TO {{reporting_db}}.dim_subsection_performance
AS
WITH
  per_learner AS (
    SELECT org, course_key, block_id_short, actor_id, avg(scaled_score) AS avg_score
    FROM {{reporting_db}}.dim_subsection_problem_results
    GROUP BY org, course_key, block_id_short, actor_id
  ),
  per_subsection AS (
    SELECT org, course_key, block_id_short, avg(scaled_score) AS total_avg
    FROM {{reporting_db}}.dim_subsection_problem_results
    GROUP BY org, course_key, block_id_short
  ),
  ranges AS (
    SELECT
      org, course_key, block_id_short,
      multiIf(
        round(avg_score * 100, 2) > 90, '>90%',
        round(avg_score * 100, 2) > 70, '71-90%',
        round(avg_score * 100, 2) > 50, '51-70%',
        round(avg_score * 100, 2) > 30, '31-50%',
        round(avg_score * 100, 2) > 0, '1-30%',
        '0%') AS score_range,
      count() AS score_range_count
    FROM per_learner
    GROUP BY org, course_key, block_id_short, score_range
  )
SELECT
  ranges.org AS org,
  ranges.course_key AS course_key,
  ranges.block_id_short AS block_id,
  toFloat32(round(per_subsection.total_avg, 2)) AS total_avg,
  ranges.score_range AS score_range,
  ranges.score_range_count AS score_range_count
FROM ranges
INNER JOIN per_subsection
  ON per_subsection.org = ranges.org AND per_subsection.course_key = ranges.course_key
  AND per_subsection.block_id_short = ranges.block_id_short;
