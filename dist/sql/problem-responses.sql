-- @title First answers per problem and their correctness
-- @dashboard In-Context Analytics Problem: Initial Responses
-- @dataset problem_responses
-- @requires reporting.dim_problem_responses
SELECT block_id_short, response, success, sum(response_count) AS responses
FROM {{reporting_db}}.dim_problem_responses FINAL
WHERE course_key = {course_key:String}
GROUP BY block_id_short, response, success
ORDER BY block_id_short, response, success
