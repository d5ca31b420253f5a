-- @title Current enrollees per track
-- @dashboard Course Dashboard: Enrollees per Enrollment Track
SELECT enrollment_mode, count(DISTINCT actor_id) AS enrollees
FROM {{reporting_db}}.dim_most_recent_enrollment
WHERE course_key = {course_key:String} AND enrollment_status = 'registered'
GROUP BY enrollment_mode
ORDER BY enrollment_mode
