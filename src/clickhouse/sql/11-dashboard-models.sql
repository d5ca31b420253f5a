-- Aspects schema, step 8: the problem, page and video models the Course, Individual Learner,
-- At-Risk Learners and In-Context dashboards read, the same in every aspects_version (the models
-- that differ are in v<version>/12-problem-answers.sql).
--
-- Materialized views see one insert block of their source table (see 09-reporting-mvs.sql):
-- "first", "last", averages and counts are per block, and the ReplacingMergeTree targets keep
-- the last inserted row per ORDER BY key once merged — exactly what Aspects' own tables hold.

-- Per learner and problem, from the learner's last response: attempts until correct (or 0),
-- attempts while wrong (or 0), and the same averaged over the course's learners.
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_problem_coursewide_avg
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  course_order Int32,
  problem_link String,
  graded Bool,
  actor_id String,
  problem_id String,
  avg_correct_attempts_coursewide Float32,
  avg_incorrect_attempts_coursewide Float32,
  coursewide_percent_correct Float32,
  correct_attempts_by_learner Int16,
  incorrect_attempts_by_learner Int16,
  selected_learner_percent_correct Float32,
  selected_learner_percent_incorrect Float32
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (org, course_key, problem_id, actor_id)
ORDER BY (org, course_key, problem_id, actor_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_problem_coursewide_avg_mv
TO {{reporting_db}}.dim_problem_coursewide_avg
AS
WITH
  learner AS (
    SELECT
      org, course_key, problem_link, problem_id, actor_id, course_order, graded,
      if(success, attempts, 0) AS success_attempt,
      if(NOT success, attempts, 0) AS incorrect_attempt
    FROM {{reporting_db}}.dim_learner_last_response
  ),
  coursewide AS (
    SELECT
      org, course_key, problem_id,
      avg(success_attempt) AS avg_correct,
      avg(incorrect_attempt) AS avg_incorrect,
      toFloat32(countIf(success_attempt > 0)) / count() AS percent_correct
    FROM learner
    GROUP BY org, course_key, problem_id
  )
SELECT
  learner.org AS org,
  learner.course_key AS course_key,
  learner.course_order AS course_order,
  learner.problem_link AS problem_link,
  learner.graded AS graded,
  learner.actor_id AS actor_id,
  learner.problem_id AS problem_id,
  toFloat32(coursewide.avg_correct) AS avg_correct_attempts_coursewide,
  toFloat32(coursewide.avg_incorrect) AS avg_incorrect_attempts_coursewide,
  toFloat32(coursewide.percent_correct) AS coursewide_percent_correct,
  learner.success_attempt AS correct_attempts_by_learner,
  learner.incorrect_attempt AS incorrect_attempts_by_learner,
  toFloat32(countIf(learner.success_attempt > 0) / count()) AS selected_learner_percent_correct,
  toFloat32(countIf(learner.incorrect_attempt > 0) / count()) AS selected_learner_percent_incorrect
FROM learner
INNER JOIN coursewide
  ON coursewide.org = learner.org AND coursewide.course_key = learner.course_key
  AND coursewide.problem_id = learner.problem_id
GROUP BY
  org, course_key, course_order, problem_link, problem_id, graded, actor_id, avg_correct_attempts_coursewide,
  avg_incorrect_attempts_coursewide, coursewide_percent_correct, correct_attempts_by_learner,
  incorrect_attempts_by_learner;

-- Per learner and graded problem: the last response's correctness and score, with the
-- subsection (or, for a problem directly under a section, the section) it belongs to.
CREATE TABLE IF NOT EXISTS {{reporting_db}}.dim_subsection_problem_results
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  block_id_short String,
  problem_id String,
  problem_number String,
  problem_name_location String,
  actor_id String,
  success Bool,
  subsection_number String,
  subsection_with_name String,
  scaled_score Float32
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (course_key, block_id_short, actor_id, problem_id)
ORDER BY (course_key, block_id_short, actor_id, problem_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.dim_subsection_problem_results_mv
TO {{reporting_db}}.dim_subsection_problem_results
AS
SELECT
  last_response.org AS org,
  last_response.course_key AS course_key,
  splitByChar('@', parents.block_id)[3] AS block_id_short,
  last_response.problem_id AS problem_id,
  aspects_problem_number(last_response.object_id, last_response.display_name_with_location) AS problem_number,
  concat(problem_number, ' - ', splitByString(' - ', last_response.display_name_with_location)[2])
    AS problem_name_location,
  last_response.actor_id AS actor_id,
  last_response.success AS success,
  aspects_outline_number(parents.display_name_with_location) AS subsection_number,
  concat(subsection_number, ' - ', splitByString(' - ', parents.display_name_with_location)[2]) AS subsection_with_name,
  last_response.scaled_score AS scaled_score
FROM {{reporting_db}}.dim_learner_last_response AS last_response
INNER JOIN {{reporting_db}}.dim_course_blocks AS problems
  ON problems.course_key = toString(last_response.course_key) AND problems.block_id = last_response.problem_id
LEFT JOIN (
  SELECT * FROM {{reporting_db}}.dim_course_blocks WHERE block_type IN ('section', 'subsection')
) AS parents
  ON parents.org = toString(last_response.org)
  AND parents.course_key = toString(last_response.course_key)
  AND parents.hierarchy_location = problems.subsection_number
WHERE last_response.graded;

-- Per learner and section/subsection with videos: none, some or all of its videos watched
-- (a video counts once any second of it was watched). Every insert block also writes a
-- "No videos viewed yet" row with an empty learner for each subsection with videos that no
-- learner of that block watched (the full join of aspects-dbt).
CREATE TABLE IF NOT EXISTS {{reporting_db}}.fact_video_engagement
(
  org LowCardinality(String),
  course_key LowCardinality(String),
  section_subsection_name String,
  content_level String,
  actor_id String,
  section_subsection_video_engagement String,
  block_id String,
  username String,
  name String,
  email String
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (org, course_key, actor_id, block_id, section_subsection_video_engagement)
ORDER BY (org, course_key, actor_id, block_id, section_subsection_video_engagement);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{reporting_db}}.fact_video_engagement_mv
TO {{reporting_db}}.fact_video_engagement
AS
WITH
  viewed AS (
    SELECT
      segments.org AS org,
      segments.course_key AS course_key,
      videos.section_number AS section_number,
      videos.subsection_number AS subsection_number,
      segments.actor_id AS actor_id,
      uniqExact(videos.block_id) AS videos_viewed
    FROM {{reporting_db}}.fact_video_segments AS segments
    INNER JOIN (SELECT * FROM {{reporting_db}}.subsection_items_by_block WHERE item_type = 'video') AS videos
      ON videos.course_key = toString(segments.course_key)
      AND videos.block_id = splitByString('/xblock/', segments.object_id)[-1]
    GROUP BY org, course_key, section_number, subsection_number, actor_id
  ),
  per_subsection AS (
    SELECT
      videos.org AS org,
      videos.course_key AS course_key,
      viewed.actor_id AS actor_id,
      videos.item_count AS item_count,
      sum(viewed.videos_viewed) AS videos_viewed,
      videos.section_block_id AS section_block_id,
      videos.subsection_block_id AS subsection_block_id,
      videos.section_with_name AS section_with_name,
      videos.subsection_with_name AS subsection_with_name
    FROM viewed
    FULL JOIN (SELECT * FROM {{reporting_db}}.items_per_subsection WHERE block_type = 'video') AS videos
      ON videos.org = toString(viewed.org)
      AND videos.course_key = toString(viewed.course_key)
      AND videos.section_number = viewed.section_number
      AND videos.subsection_number = viewed.subsection_number
    GROUP BY
      org, course_key, videos.subsection_course_order, actor_id, item_count, section_block_id, subsection_block_id,
      section_with_name, subsection_with_name
  ),
  -- Each subsection row counts for the subsection and, summed, for its section.
  per_level AS (
    SELECT
      org, course_key, actor_id, level.1 AS block_id, level.2 AS section_subsection_name,
      level.3 AS content_level,
      sum(videos_viewed) AS viewed_total,
      sum(item_count) AS item_total
    FROM per_subsection
    ARRAY JOIN [
      (subsection_block_id, subsection_with_name, 'subsection'),
      (section_block_id, section_with_name, 'section')] AS level
    GROUP BY org, course_key, actor_id, block_id, section_subsection_name, content_level
  )
SELECT
  per_level.org AS org,
  per_level.course_key AS course_key,
  per_level.section_subsection_name AS section_subsection_name,
  per_level.content_level AS content_level,
  per_level.actor_id AS actor_id,
  multiIf(
    per_level.viewed_total = 0, 'No videos viewed yet',
    per_level.viewed_total = per_level.item_total, 'All videos viewed',
    'At least one video viewed') AS section_subsection_video_engagement,
  per_level.block_id AS block_id,
  pii.username AS username,
  pii.name AS name,
  pii.email AS email
FROM per_level
LEFT JOIN {{reporting_db}}.dim_user_pii AS pii
  ON pii.external_user_id = per_level.actor_id OR concat('mailto:', pii.email) = per_level.actor_id
WHERE per_level.section_subsection_name != '';

-- Per learner and visited section/subsection: none, some or all of its pages visited
-- (read from fact_navigation_completion, so only subsections with units count).
CREATE OR REPLACE VIEW {{reporting_db}}.fact_pageview_engagement
AS
WITH
  per_subsection AS (
    SELECT
      org, course_key, actor_id, page_count, count(block_id) AS pages_visited,
      section_with_name, subsection_with_name, subsection_block_id, section_block_id
    FROM {{reporting_db}}.fact_navigation_completion
    GROUP BY
      org, course_key, actor_id, page_count, section_with_name, subsection_with_name, subsection_block_id,
      section_block_id
  ),
  per_level AS (
    SELECT
      org, course_key, actor_id, section_with_name, level.1 AS block_id, level.2 AS section_subsection_name,
      level.3 AS content_level,
      sum(pages_visited) AS visited_total,
      sum(page_count) AS page_total
    FROM per_subsection
    ARRAY JOIN [
      (subsection_block_id, subsection_with_name, 'subsection'),
      (section_block_id, section_with_name, 'section')] AS level
    GROUP BY org, course_key, actor_id, section_subsection_name, section_with_name, content_level, block_id
  )
SELECT
  per_level.org AS org,
  per_level.course_key AS course_key,
  per_level.section_subsection_name AS section_subsection_name,
  per_level.content_level AS content_level,
  per_level.actor_id AS actor_id,
  multiIf(
    per_level.visited_total = 0, 'No pages viewed yet',
    per_level.visited_total = per_level.page_total, 'All pages viewed',
    'At least one page viewed') AS section_subsection_page_engagement,
  per_level.section_with_name AS section_with_name,
  pii.username AS username,
  pii.name AS name,
  pii.email AS email
FROM per_level
LEFT JOIN {{reporting_db}}.dim_user_pii AS pii
  ON pii.external_user_id = per_level.actor_id OR concat('mailto:', pii.email) = per_level.actor_id
WHERE per_level.section_subsection_name != '';

-- Per learner and section/subsection with problems: none, some or all of its problems
-- attempted. Unlike the page and video models the state is decided per subsection and a
-- section keeps one row per distinct state of its subsections, as in aspects-dbt.
CREATE OR REPLACE VIEW {{reporting_db}}.fact_problem_engagement
AS
WITH
  attempted AS (
    SELECT
      problems.org AS org,
      problems.course_key AS course_key,
      problems.actor_id AS actor_id,
      items.item_count AS item_count,
      uniqExact(problems.problem_id) AS problems_attempted,
      items.section_block_id AS section_block_id,
      items.subsection_block_id AS subsection_block_id,
      items.section_with_name AS section_with_name,
      items.subsection_with_name AS subsection_with_name
    FROM {{xapi_db}}.problem_events AS problems
    INNER JOIN (SELECT * FROM {{reporting_db}}.subsection_items_by_block WHERE item_type = 'problem') AS items
      ON items.course_key = toString(problems.course_key) AND items.block_id = problems.problem_id
      AND items.org = toString(problems.org)
    WHERE problems.verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated'
    GROUP BY
      org, course_key, actor_id, item_count, section_block_id, subsection_block_id, section_with_name,
      subsection_with_name
  ),
  per_level AS (
    SELECT DISTINCT
      org, course_key, actor_id,
      multiIf(
        problems_attempted = 0, 'No problems attempted yet',
        problems_attempted = item_count, 'All problems attempted',
        'At least one problem attempted') AS section_subsection_problem_engagement,
      level.1 AS block_id, section_with_name, level.2 AS section_subsection_name, level.3 AS content_level
    FROM attempted
    ARRAY JOIN [
      (subsection_block_id, subsection_with_name, 'subsection'),
      (section_block_id, section_with_name, 'section')] AS level
  )
SELECT
  per_level.org AS org,
  per_level.course_key AS course_key,
  per_level.section_subsection_name AS section_subsection_name,
  per_level.section_with_name AS section_with_name,
  per_level.content_level AS content_level,
  per_level.actor_id AS actor_id,
  per_level.section_subsection_problem_engagement AS section_subsection_problem_engagement,
  per_level.block_id AS block_id,
  pii.username AS username,
  pii.name AS name,
  pii.email AS email
FROM per_level
LEFT JOIN {{reporting_db}}.dim_user_pii AS pii
  ON pii.external_user_id = per_level.actor_id OR concat('mailto:', pii.email) = per_level.actor_id
WHERE per_level.section_subsection_name != '';
