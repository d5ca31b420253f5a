-- @title Enrollees per track, monthly (Superset adds the cumulative sum client-side)
-- @dashboard Course Dashboard: Cumulative Enrollments by Track
SELECT toStartOfMonth(e.emission_time) AS month, e.enrollment_mode, count(DISTINCT e.actor_id) AS learners
FROM {{reporting_db}}.dim_most_recent_enrollment AS e
JOIN {{event_sink_db}}.dim_course_names AS n ON e.org = n.org AND e.course_key = n.course_key
WHERE e.org = {org:String} AND e.course_key = {course_key:String}
GROUP BY month, e.enrollment_mode
ORDER BY month, e.enrollment_mode
