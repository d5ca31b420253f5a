-- @title Learners who answered each problem correctly, and at which attempt
-- @dashboard In-Context Analytics Problem: Problem Results Table; In-Context Analytics Course: Problem Engagement
-- @dataset problem_results
-- @requires reporting.dim_problem_results
-- @key block_id_short
SELECT block_id_short, problem_name_location,
       countIf(success) AS learners_correct,
       countIf(success AND attempts = 1) AS correct_first_try,
       count(DISTINCT actor_id) AS learners, max(attempts) AS max_attempts
FROM {{reporting_db}}.dim_problem_results FINAL
WHERE course_key = {course_key:String}
GROUP BY block_id_short, problem_name_location
ORDER BY block_id_short
