-- @title At-risk learners' attempts per problem against the course-wide averages
-- @dashboard At-Risk Learners: Problem Results, Problem Attempts
-- @dataset at_risk_coursewide_avg
-- @requires reporting.dim_problem_coursewide_avg, reporting.dim_student_status, reporting.dim_learner_last_course_visit
-- @key problem_id
SELECT a.problem_id AS problem_id, count(DISTINCT a.actor_id) AS learners,
       round(any(a.avg_correct_attempts_coursewide), 4) AS avg_correct_attempts_coursewide,
       sum(a.correct_attempts_by_learner) AS correct_attempts,
       sum(a.incorrect_attempts_by_learner) AS incorrect_attempts
FROM {{reporting_db}}.dim_problem_coursewide_avg AS a FINAL
WHERE a.course_key = {course_key:String}
  AND (a.org, a.course_key, a.actor_id) IN (SELECT org, course_key, actor_id FROM {{at_risk_learners}})
GROUP BY problem_id
ORDER BY problem_id
