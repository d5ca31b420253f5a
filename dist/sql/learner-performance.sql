-- @title Per course: learners, problems right at the first try, problems answered more than once, grades
-- @dashboard Course Comparison Dashboard: Learner Performance
-- @dataset learner_performance
-- @requires reporting.dim_student_status, reporting.dim_learner_last_response
-- @scope instance
WITH per_learner AS (
  SELECT s.org AS org, s.course_key AS course_key, s.actor_id AS actor_id,
         any(s.course_grade) AS course_grade, any(s.approving_state) AS approving_state,
         countIf(r.success AND r.attempts = 1) AS first_try_correct,
         count(DISTINCT if(r.attempts > 1, r.object_id, NULL)) AS retried_problems
  FROM {{reporting_db}}.dim_student_status AS s
  LEFT JOIN {{reporting_db}}.dim_learner_last_response AS r
    ON r.org = s.org AND r.course_key = s.course_key AND r.actor_id = s.actor_id
  GROUP BY org, course_key, actor_id
)
SELECT org, course_key, count() AS learners, sum(first_try_correct) AS first_try_correct,
       sum(retried_problems) AS retried_problems, round(avg(course_grade), 4) AS avg_grade,
       countIf(approving_state = 'passed') AS passed
FROM per_learner
GROUP BY org, course_key
ORDER BY course_key
