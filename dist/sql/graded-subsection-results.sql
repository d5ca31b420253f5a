-- @title Graded subsections: learners right and wrong at their final response, per problem
-- @dashboard In-Context Analytics Graded Subsection: Final Response Results
-- @dataset graded_subsection_results
-- @requires reporting.dim_subsection_problem_results
-- @key block_id_short, problem_number
SELECT block_id_short, problem_number, any(problem_name_location) AS problem_name_location,
       count(DISTINCT actor_id) AS learners,
       countIf(success) AS correct, countIf(NOT success) AS incorrect
FROM {{reporting_db}}.dim_subsection_problem_results FINAL
WHERE course_key = {course_key:String}
GROUP BY block_id_short, problem_number
ORDER BY block_id_short, problem_number
