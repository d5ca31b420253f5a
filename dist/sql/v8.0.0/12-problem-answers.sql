-- Aspects schema, step 9 for aspects-dbt v8.0.0: the problem-answer models as v8.0.0 has them.
-- Against v7.0.0: dim_problem_results reads each learner's LAST response (dim_learner_last_response)
-- instead of their first correct one, dim_problem_responses has no emission_time (its counts add up
-- over every first response of an insert block), and dim_subsection_performance is gone.
-- See 11-dashboard-models.sql for how the materialized views see data.

-- Per problem, answer and correctness: how many learners gave that answer on their FIRST
-- attempt. List answers (`["a", "b"]`) count once per item; hint markup is stripped.
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_problem_responses
(
  org LowCardinality(String),
  course_key LowCardinality(String),
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
      argMin(responses, attempts) AS first_responses
    FROM {{xapi_db}}.problem_events
    WHERE verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated'
    GROUP BY org, course_key, object_id, problem_id, actor_id, interaction_type
  ),
  answers AS (
    SELECT
      first_responses.org AS org,
      first_responses.course_key AS course_key,
      splitByChar('@', first_responses.problem_id)[3] AS block_id_short,
      replaceRegexpAll(
        replaceRegexpAll(first_responses.first_responses, '<.*?hint.*?</.*?hint>|</div>|<div>|\\[|\\]', ''),
        '",(\\s|)"', ',') AS cleaned,
      -- As in v7.0.0: arrayJoin runs before the condition, so a comma splits a plain answer too.
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
  org, course_key, block_id_short, response, success, interaction_type, problem_number, problem_name_location,
  count() AS response_count
FROM answers
GROUP BY org, course_key, block_id_short, response, success, interaction_type, problem_number, problem_name_location;

-- Per learner and problem: the correctness and attempt count of the learner's last response
-- (one row per learner who answered; a learner who never got it right keeps success = false).
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

-- Chained on dim_learner_last_response (an MV target): every block that MV writes arrives here.
CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_problem_results_mv
TO {{reporting_db}}.dim_problem_results
AS
SELECT
  last_response.org AS org,
  last_response.course_key AS course_key,
  last_response.success AS success,
  last_response.attempts AS attempts,
  last_response.actor_id AS actor_id,
  aspects_problem_number(last_response.object_id, blocks.display_name_with_location) AS problem_number,
  concat(problem_number, ' - ', splitByString(' - ', blocks.display_name_with_location)[2]) AS problem_name_location,
  splitByChar('@', last_response.problem_id)[3] AS block_id_short
FROM {{reporting_db}}.dim_learner_last_response AS last_response
LEFT JOIN {{reporting_db}}.dim_course_blocks AS blocks
  ON blocks.course_key = toString(last_response.course_key) AND blocks.block_id = last_response.problem_id;
