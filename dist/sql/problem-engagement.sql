-- @title Learners by problem engagement per section and subsection
-- @dashboard Course Dashboard: Problem Engagement per Section/Subsection; Individual Learner: Problem Engagement per Section/Subsection, per Section, per Subsection
-- @dataset problem_engagement
-- @requires reporting.fact_problem_engagement
SELECT content_level, section_subsection_name, section_subsection_problem_engagement AS engagement,
       count(DISTINCT actor_id) AS learners
FROM {{reporting_db}}.fact_problem_engagement
WHERE course_key = {course_key:String}
GROUP BY content_level, section_subsection_name, engagement
ORDER BY content_level, section_subsection_name, engagement
