-- @title Learners per grade bucket and approving state
-- @dashboard Course Dashboard: Distribution of Current Course Grade, Learners with Passing Grade
-- @dataset dim_student_status
-- @requires reporting.dim_student_status
SELECT grade_bucket, approving_state, count(DISTINCT actor_id) AS learners
FROM {{reporting_db}}.dim_student_status
WHERE course_key = {course_key:String}
GROUP BY grade_bucket, approving_state
ORDER BY grade_bucket, approving_state
