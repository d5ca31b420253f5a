-- @title Enrollment events per day and status, instance-wide
-- @dashboard Operator Dashboard: Course Enrollments Over Time
-- @dataset fact_instance_enrollments
-- @requires reporting.fact_instance_enrollments
-- @scope instance
SELECT toDate(emission_day) AS day, enrollment_status, sum(course_enrollment_mode_status_cnt) AS enrollments
FROM {{reporting_db}}.fact_instance_enrollments
GROUP BY day, enrollment_status
ORDER BY day, enrollment_status
