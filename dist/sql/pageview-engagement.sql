-- @title Learners by page engagement per section and subsection
-- @dashboard Course Dashboard: Page Engagement per Section/Subsection; Individual Learner: Page Engagement per Section/Subsection, per Section, per Subsection
-- @dataset pageview_engagement
-- @requires reporting.fact_pageview_engagement
SELECT content_level, section_subsection_name, section_subsection_page_engagement AS engagement,
       count(DISTINCT actor_id) AS learners
FROM {{reporting_db}}.fact_pageview_engagement
WHERE course_key = {course_key:String}
GROUP BY content_level, section_subsection_name, engagement
ORDER BY content_level, section_subsection_name, engagement
