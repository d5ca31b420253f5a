-- @title Course information: learners, learners active in the 7 days before the reference time, grades
-- quantileExact instead of the chart's quantile: the sampled quantile depends on thread scheduling on big tables.
-- @dashboard Course Dashboard: Course Information
-- @dataset student_status_plus_7_days
-- @requires reporting.dim_student_status, reporting.dim_learner_last_course_visit
-- @scope instance
WITH recent AS (
  SELECT course_key, count(DISTINCT actor_id) AS active_last_7_days
  FROM {{reporting_db}}.dim_learner_last_course_visit
  WHERE emission_time >= subtractDays({now:DateTime('UTC')}, 7)
  GROUP BY course_key
)
SELECT s.org, s.course_key, s.course_name, s.course_run,
       count(DISTINCT s.actor_id) AS learners,
       avg(coalesce(r.active_last_7_days, 0)) AS active_7d,
       round(avg(s.course_grade), 2) AS avg_grade,
       quantileExact(0.5)(round(s.course_grade, 2)) AS median_grade
FROM {{reporting_db}}.dim_student_status AS s
LEFT JOIN recent AS r ON s.course_key = r.course_key
GROUP BY s.org, s.course_key, s.course_name, s.course_run
ORDER BY s.course_key
