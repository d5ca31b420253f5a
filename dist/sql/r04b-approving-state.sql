-- @title Learners by approving state (course completion)
-- @dashboard Course Dashboard: Learners with Passing Grade
SELECT approving_state, count(DISTINCT actor_id) AS learners
FROM {{reporting_db}}.dim_student_status
WHERE course_key = {course_key:String}
GROUP BY approving_state
ORDER BY approving_state
