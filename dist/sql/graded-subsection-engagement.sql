-- @title Graded subsections: learners who answered and their average score
-- @dashboard In-Context Analytics Course: Graded Subsection Engagement
-- @dataset graded_subsection_engagement
-- @requires reporting.dim_subsection_problem_results
-- @key subsection_number
SELECT subsection_number, any(subsection_with_name) AS subsection_with_name,
       count(DISTINCT actor_id) AS learners, count() AS answers, round(avg(scaled_score), 4) AS avg_score
FROM {{reporting_db}}.dim_subsection_problem_results FINAL
WHERE course_key = {course_key:String}
GROUP BY subsection_number
ORDER BY subsection_number
