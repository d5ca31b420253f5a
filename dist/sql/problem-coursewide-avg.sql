-- @title Attempts per problem: course-wide averages and learners right or wrong at their last answer
-- @dashboard Individual Learner: Problem Results, Problem Attempts
-- @dataset problem_coursewide_avg
-- @requires reporting.dim_problem_coursewide_avg
-- @key problem_id
SELECT problem_id, graded,
       count(DISTINCT actor_id) AS learners,
       round(any(avg_correct_attempts_coursewide), 4) AS avg_correct_attempts,
       round(any(avg_incorrect_attempts_coursewide), 4) AS avg_incorrect_attempts,
       round(any(coursewide_percent_correct), 4) AS percent_correct,
       countIf(correct_attempts_by_learner > 0) AS learners_correct,
       countIf(incorrect_attempts_by_learner > 0) AS learners_incorrect
FROM {{reporting_db}}.dim_problem_coursewide_avg FINAL
WHERE course_key = {course_key:String}
GROUP BY problem_id, graded
ORDER BY problem_id
