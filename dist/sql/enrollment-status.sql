-- @title Current enrollees per month of their latest enrollment event, track and status
-- Superset adds the cumulative sum of "Cumulative Enrollments by Track" client-side.
-- @dashboard Course Dashboard: Cumulative Enrollments by Track, Enrollees per Enrollment Track; Operator Dashboard: Current Active Enrollments By Mode
-- @dataset enrollment_status
-- @requires reporting.dim_most_recent_enrollment, event_sink.dim_course_names
SELECT toStartOfMonth(e.emission_time) AS month, e.enrollment_mode, e.enrollment_status,
       count(DISTINCT e.actor_id) AS learners
FROM {{reporting_db}}.dim_most_recent_enrollment AS e
INNER JOIN {{event_sink_db}}.dim_course_names AS n ON n.course_key = toString(e.course_key) AND n.org = toString(e.org)
WHERE e.course_key = {course_key:String}
GROUP BY month, e.enrollment_mode, e.enrollment_status
ORDER BY month, e.enrollment_mode, e.enrollment_status
