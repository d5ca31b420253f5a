-- @title Learners per course and status at the reference time: active (last 7 days), at-risk, other
-- @dashboard Course Comparison Dashboard: Learner Performance Breakdown
-- @dataset learner_performance_breakdown
-- @requires reporting.dim_student_status, reporting.dim_learner_last_course_visit
-- @scope instance
SELECT s.course_key AS course_key,
       multiIf(
         v.emission_time >= subtractDays({now:DateTime('UTC')}, 7), 'active',
         v.emission_time < subtractDays({now:DateTime('UTC')}, 7)
           AND s.approving_state = 'failed' AND s.enrollment_status = 'registered', 'at-risk',
         'other') AS learner_status,
       count(DISTINCT s.actor_id) AS learners
FROM {{reporting_db}}.dim_student_status AS s
LEFT JOIN {{reporting_db}}.dim_learner_last_course_visit AS v
  ON v.org = s.org AND v.course_key = s.course_key AND v.actor_id = s.actor_id
GROUP BY course_key, learner_status
ORDER BY course_key, learner_status
