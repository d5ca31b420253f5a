-- @title Enrollment events and learners per status and track
-- @dashboard Course Dashboard: Current Enrollees
-- @dataset enrollments
-- @requires reporting.fact_enrollments
SELECT enrollment_status, enrollment_mode, count() AS events, count(DISTINCT actor_id) AS learners
FROM {{reporting_db}}.fact_enrollments
WHERE course_key = {course_key:String}
GROUP BY enrollment_status, enrollment_mode
ORDER BY enrollment_status, enrollment_mode
