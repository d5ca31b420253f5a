-- Aspects schema, step 7: plain views the Superset datasets read. Views are computed at query
-- time, so CREATE OR REPLACE keeps them current when this file changes.
-- Course keys are LowCardinality in the xAPI tables; they are compared to the String keys of
-- the course dictionaries through toString(…), because a JOIN that ClickHouse turns into a
-- dictionary lookup rejects a LowCardinality key ("Key type … does not match").
-- PII is joined as aspects-dbt v7.0.0/v8.0.0 do: by external id, or a `mailto:` actor by its
-- email — also when that learner has an xAPI external id.

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
LEFT JOIN {{reporting_db}}.dim_user_pii AS pii
  ON pii.external_user_id = enrollments.actor_id OR concat('mailto:', pii.email) = enrollments.actor_id;

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
  -- The Float32 grade is compared with Float64 bounds unrounded, as aspects-dbt v7.0.0 does on
  -- purpose: a stored 0.7 or 0.9 is 0.69999999 / 0.89999998 and lands one bucket lower.
  multiIf(
    grade.course_grade >= 0.9, '90-100%',
    grade.course_grade >= 0.8, '80-89%',
    grade.course_grade >= 0.7, '70-79%',
    grade.course_grade >= 0.6, '60-69%',
    grade.course_grade >= 0.5, '50-59%',
    grade.course_grade >= 0.4, '40-49%',
    grade.course_grade >= 0.3, '30-39%',
    grade.course_grade >= 0.2, '20-29%',
    grade.course_grade >= 0.1, '10-19%',
    '0-9%') AS grade_bucket,
  if(empty(state.approving_state), 'failed', state.approving_state) AS approving_state,
  enrollment.emission_time AS enrolled_at
FROM {{reporting_db}}.dim_most_recent_enrollment AS enrollment
LEFT JOIN {{reporting_db}}.dim_learner_most_recent_course_state AS state
  ON state.org = enrollment.org AND state.course_key = enrollment.course_key AND state.actor_id = enrollment.actor_id
LEFT JOIN {{reporting_db}}.dim_learner_most_recent_course_grade AS grade
  ON grade.org = enrollment.org AND grade.course_key = enrollment.course_key AND grade.actor_id = enrollment.actor_id
INNER JOIN {{event_sink_db}}.dim_course_names AS names ON names.course_key = toString(enrollment.course_key)
LEFT JOIN {{reporting_db}}.dim_user_pii AS pii
  ON pii.external_user_id = enrollment.actor_id OR concat('mailto:', pii.email) = enrollment.actor_id;

-- Per course subsection and kind of block (unit, problem, video, …): how many such blocks it
-- holds, its outline names and positions. aspects-dbt inlines this as a macro in each model
-- that counts items per subsection; here it is one view they all read.
CREATE OR REPLACE VIEW {{reporting_db}}.items_per_subsection
AS
WITH counted AS (
  SELECT
    org, course_key, section_number, subsection_number, graded, block_type,
    min(course_order) AS course_order,
    count() AS item_count
  FROM {{reporting_db}}.dim_course_blocks
  GROUP BY org, course_key, section_number, subsection_number, graded, block_type
)
SELECT
  counted.org AS org,
  counted.course_key AS course_key,
  counted.block_type AS block_type,
  counted.section_number AS section_number,
  sections.display_name_with_location AS section_with_name,
  counted.subsection_number AS subsection_number,
  subsections.display_name_with_location AS subsection_with_name,
  counted.course_order AS course_order,
  counted.graded AS graded,
  counted.item_count AS item_count,
  subsections.block_id AS subsection_block_id,
  sections.block_id AS section_block_id,
  sections.course_order AS section_course_order,
  subsections.course_order AS subsection_course_order
FROM counted
LEFT JOIN (SELECT * FROM {{reporting_db}}.dim_course_blocks WHERE block_type = 'section') AS sections
  ON sections.course_key = counted.course_key AND sections.hierarchy_location = counted.section_number
LEFT JOIN (SELECT * FROM {{reporting_db}}.dim_course_blocks WHERE block_type = 'subsection') AS subsections
  ON subsections.course_key = counted.course_key AND subsections.hierarchy_location = counted.subsection_number;

-- Every block with the item counts of its subsection (one row per kind of item it holds).
-- The models join this instead of chaining dim_course_blocks and items_per_subsection in one
-- query: ClickHouse 26.x's join reordering rejects that chain ("Left and right columns have
-- same names"), 25.8 does not.
CREATE OR REPLACE VIEW {{reporting_db}}.subsection_items_by_block
AS
SELECT
  blocks.course_key AS course_key,
  blocks.block_id AS block_id,
  items.org AS org,
  items.block_type AS item_type,
  items.section_number AS section_number,
  items.subsection_number AS subsection_number,
  items.item_count AS item_count,
  items.section_with_name AS section_with_name,
  items.subsection_with_name AS subsection_with_name,
  items.section_block_id AS section_block_id,
  items.subsection_block_id AS subsection_block_id,
  items.subsection_course_order AS subsection_course_order
FROM {{reporting_db}}.dim_course_blocks AS blocks
INNER JOIN {{reporting_db}}.items_per_subsection AS items
  ON items.course_key = blocks.course_key
  AND items.section_number = blocks.section_number
  AND items.subsection_number = blocks.subsection_number;

-- Per learner and visited block: the last day visited, with the subsection it lies in, that
-- subsection's outline position (course_order) and number of pages (units). Subsections without
-- units are left out, as in aspects-dbt (the inner join on the page count).
CREATE OR REPLACE VIEW {{reporting_db}}.fact_navigation_completion
AS
SELECT
  navigation.org AS org,
  navigation.course_key AS course_key,
  navigation.block_id AS block_id,
  pages.subsection_course_order AS course_order,
  navigation.actor_id AS actor_id,
  pages.item_count AS page_count,
  pages.section_with_name AS section_with_name,
  pages.subsection_with_name AS subsection_with_name,
  max(toDate(navigation.emission_time)) AS visited_on,
  pages.subsection_block_id AS subsection_block_id,
  pages.section_block_id AS section_block_id
FROM {{xapi_db}}.navigation_events AS navigation
INNER JOIN (SELECT * FROM {{reporting_db}}.subsection_items_by_block WHERE item_type = 'unit') AS pages
  ON pages.course_key = toString(navigation.course_key) AND pages.block_id = navigation.block_id
  AND pages.org = toString(navigation.org)
GROUP BY
  org, course_key, block_id, course_order, actor_id, page_count, section_with_name, subsection_with_name,
  subsection_block_id, section_block_id;
