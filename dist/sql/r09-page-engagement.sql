-- @title Page engagement per section and subsection
-- @dashboard Course Dashboard: Section/Subsection Summary
SELECT section_with_name, subsection_with_name,
       count(DISTINCT actor_id) AS learners, count(block_id) AS views
FROM {{reporting_db}}.fact_navigation_completion
WHERE course_key = {course_key:String}
GROUP BY section_with_name, subsection_with_name
ORDER BY section_with_name, subsection_with_name
