-- @title Distribution of current course grade
-- @dashboard Course Dashboard: Distribution of Current Course Grade
SELECT grade_bucket, count(DISTINCT actor_id) AS learners
FROM {{reporting_db}}.dim_student_status
WHERE course_key = {course_key:String}
GROUP BY grade_bucket
ORDER BY grade_bucket
