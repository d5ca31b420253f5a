-- @title Enrollments per day by status
-- @dashboard Operator: Course Enrollments Over Time
-- @scope instance
SELECT toDate(emission_day) AS day, enrollment_status, sum(course_enrollment_mode_status_cnt) AS enrollments
FROM {{reporting_db}}.fact_instance_enrollments
GROUP BY day, enrollment_status
ORDER BY day, enrollment_status
