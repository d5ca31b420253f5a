-- @title Current enrollees
-- @dashboard Course Dashboard: Current Enrollees
SELECT count(DISTINCT actor_id) AS enrollees
FROM {{reporting_db}}.fact_enrollments
WHERE enrollment_status = 'registered' AND course_key = {course_key:String}
