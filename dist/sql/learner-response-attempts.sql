-- @title Problem attempts and success rate per problem (learners' last responses)
-- quantileExact instead of the chart's quantile: the sampled quantile depends on thread scheduling on big tables.
-- @dashboard Course Dashboard: Problem Attempts and Results
-- @dataset learner_response_attempts
-- @requires reporting.dim_learner_last_response
-- @key display_name_with_location
SELECT problem_link, display_name_with_location, graded,
       count(DISTINCT actor_id) AS learners,
       quantileExact(0.5)(attempts) AS median_attempts,
       sum(attempts) / count(actor_id) AS avg_attempts,
       sumIf(attempts, success) AS correct_attempts,
       sumIf(attempts, NOT success) AS incorrect_attempts,
       round(sumIf(attempts, success) / sum(attempts), 2) AS correct_pct
FROM {{reporting_db}}.dim_learner_last_response
WHERE course_key = {course_key:String}
GROUP BY problem_link, display_name_with_location, graded
ORDER BY display_name_with_location, problem_link
