-- @title Learners and courses by current enrollment status, instance-wide
-- @dashboard Operator Dashboard: Currently Enrolled Users
-- @dataset dim_most_recent_enrollment
-- @requires reporting.dim_most_recent_enrollment
-- @scope instance
SELECT enrollment_status, count(DISTINCT actor_id) AS learners, count(DISTINCT course_key) AS courses
FROM {{reporting_db}}.dim_most_recent_enrollment
GROUP BY enrollment_status
ORDER BY enrollment_status
