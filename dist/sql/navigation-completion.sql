-- @title Page visits per section and subsection, in course order
-- @dashboard Course Dashboard: Section Summary, Subsection Summary, Cumulative Interactions, Page Engagement Over Time
-- @dataset navigation_completion
-- @requires reporting.fact_navigation_completion
-- @key section_with_name, subsection_with_name
SELECT section_with_name, subsection_with_name, min(course_order) AS course_order,
       any(page_count) AS pages, count(DISTINCT actor_id) AS learners, count() AS page_visits,
       count(DISTINCT visited_on) AS days_with_visits
FROM {{reporting_db}}.fact_navigation_completion
WHERE course_key = {course_key:String}
GROUP BY section_with_name, subsection_with_name
ORDER BY course_order, section_with_name, subsection_with_name
