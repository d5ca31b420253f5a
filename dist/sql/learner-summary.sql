-- @title Learner summary, with the at-risk flag at the reference time
-- @dashboard Individual Learner: Learner Summary
-- @dataset learner_summary
-- @requires reporting.dim_student_status, reporting.dim_learner_last_course_visit
WITH last_visit AS (
  SELECT org, course_key, actor_id, max(emission_time) AS last_visited
  FROM {{reporting_db}}.dim_learner_last_course_visit
  GROUP BY org, course_key, actor_id
)
SELECT s.username, s.name, s.email, s.course_name, s.course_run, s.enrolled_at,
       greatest(lv.last_visited, s.enrolled_at) AS last_visited,
       s.approving_state, s.enrollment_mode, s.enrollment_status, s.grade_bucket, s.course_grade,
       s.approving_state = 'failed' AND s.enrollment_status = 'registered'
         AND lv.last_visited < subtractDays({now:DateTime('UTC')}, 7) AS at_risk
FROM {{reporting_db}}.dim_student_status AS s
LEFT JOIN last_visit AS lv ON s.org = lv.org AND s.course_key = lv.course_key AND s.actor_id = lv.actor_id
WHERE s.course_key = {course_key:String}
ORDER BY s.username
