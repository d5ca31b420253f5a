-- Aspects schema, step 7: plain views the Superset datasets read. Views are computed at query
-- time, so CREATE OR REPLACE keeps them current when this file changes.
-- Course keys are LowCardinality in the xAPI tables; they are compared to the String keys of
-- the course dictionaries through toString(…), because a JOIN that ClickHouse turns into a
-- dictionary lookup rejects a LowCardinality key ("Key type … does not match").

-- Every enrollment event with its course name and the learner's PII (when known).
CREATE OR REPLACE VIEW {{reporting_db}}.fact_enrollments
AS
SELECT
  enrollments.emission_time AS emission_time,
  enrollments.org AS org,
  enrollments.course_key AS course_key,
  names.course_name AS course_name,
  names.course_run AS course_run,
  enrollments.actor_id AS actor_id,
  enrollments.enrollment_mode AS enrollment_mode,
  enrollments.enrollment_status AS enrollment_status,
  pii.username AS username,
  pii.name AS name,
  pii.email AS email
FROM {{xapi_db}}.enrollment_events AS enrollments
INNER JOIN {{event_sink_db}}.dim_course_names AS names ON names.course_key = toString(enrollments.course_key)
LEFT JOIN {{reporting_db}}.dim_user_pii AS pii ON pii.external_user_id = enrollments.actor_id;

-- One row per learner and course: current enrollment, pass/fail state (none yet = failed),
-- latest course grade and its 10 % bucket, PII.
CREATE OR REPLACE VIEW {{reporting_db}}.dim_student_status
AS
SELECT
  enrollment.org AS org,
  enrollment.course_key AS course_key,
  names.course_name AS course_name,
  names.course_run AS course_run,
  enrollment.actor_id AS actor_id,
  pii.username AS username,
  pii.name AS name,
  pii.email AS email,
  enrollment.enrollment_mode AS enrollment_mode,
  enrollment.enrollment_status AS enrollment_status,
  grade.course_grade AS course_grade,
  -- Float32 grades such as 0.9 are 0.8999…; round before bucketing so 0.9 lands in 90-100%.
  least(toUInt8(floor(round(toFloat64(grade.course_grade), 6) * 10)), 9) AS grade_decile,
  if(
    grade_decile = 9,
    '90-100%',
    concat(toString(grade_decile * 10), '-', toString(grade_decile * 10 + 9), '%')) AS grade_bucket,
  if(empty(state.approving_state), 'failed', state.approving_state) AS approving_state,
  enrollment.emission_time AS enrolled_at
FROM {{reporting_db}}.dim_most_recent_enrollment AS enrollment
LEFT JOIN {{reporting_db}}.dim_learner_most_recent_course_state AS state
  ON state.org = enrollment.org AND state.course_key = enrollment.course_key AND state.actor_id = enrollment.actor_id
LEFT JOIN {{reporting_db}}.dim_learner_most_recent_course_grade AS grade
  ON grade.org = enrollment.org AND grade.course_key = enrollment.course_key AND grade.actor_id = enrollment.actor_id
INNER JOIN {{event_sink_db}}.dim_course_names AS names ON names.course_key = toString(enrollment.course_key)
LEFT JOIN {{reporting_db}}.dim_user_pii AS pii ON pii.external_user_id = enrollment.actor_id;

-- Per learner and visited subsection (navigation targets sequentials): the last day visited,
-- with the subsection's section, names and number of pages (units).
CREATE OR REPLACE VIEW {{reporting_db}}.fact_navigation_completion
AS
WITH
  visits AS (
    SELECT org, course_key, actor_id, block_id, max(toDate(emission_time)) AS visited_on
    FROM {{xapi_db}}.navigation_events
    GROUP BY org, course_key, actor_id, block_id
  ),
  pages_per_subsection AS (
    SELECT course_key, subsection_number, count() AS page_count
    FROM {{reporting_db}}.dim_course_blocks
    WHERE block_type = 'unit'
    GROUP BY course_key, subsection_number
  )
SELECT
  visits.visited_on AS visited_on,
  visits.org AS org,
  visits.course_key AS course_key,
  blocks.course_name AS course_name,
  blocks.course_run AS course_run,
  visits.actor_id AS actor_id,
  visits.block_id AS block_id,
  blocks.block_name AS block_name,
  blocks.section_number AS section_number,
  blocks.section_block_id AS section_block_id,
  blocks.section_with_name AS section_with_name,
  blocks.subsection_number AS subsection_number,
  blocks.subsection_block_id AS subsection_block_id,
  blocks.subsection_with_name AS subsection_with_name,
  pages.page_count AS page_count
FROM visits
INNER JOIN {{reporting_db}}.dim_course_blocks AS blocks
  ON blocks.course_key = toString(visits.course_key) AND blocks.block_id = visits.block_id
LEFT JOIN pages_per_subsection AS pages
  ON pages.course_key = blocks.course_key AND pages.subsection_number = blocks.subsection_number
WHERE blocks.block_type = 'subsection';
