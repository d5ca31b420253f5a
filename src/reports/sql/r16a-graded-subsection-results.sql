-- @title Graded subsections: learners, correct last answers and average score
-- @dashboard In-Context Graded Subsection: Engagement and Results (datasets graded_subsection_engagement, graded_subsection_results)
-- @key block_id_short
SELECT block_id_short, subsection_with_name,
       count(DISTINCT actor_id) AS learners,
       count(DISTINCT problem_id) AS problems,
       countIf(success) AS correct_answers,
       round(avg(scaled_score), 4) AS avg_score
FROM {{reporting_db}}.dim_subsection_problem_results FINAL
WHERE course_key = {course_key:String}
GROUP BY block_id_short, subsection_with_name
ORDER BY block_id_short
