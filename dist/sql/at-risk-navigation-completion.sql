-- @title At-risk learners' page visits per section and subsection, in course order
-- @dashboard At-Risk Learners: Section Summary, Subsection Summary, Cumulative Interactions, Page Engagement Over Time
-- @dataset at_risk_navigation_completion
-- @requires reporting.fact_navigation_completion, reporting.dim_student_status, reporting.dim_learner_last_course_visit
-- @key section_with_name, subsection_with_name
SELECT n.section_with_name AS section_with_name, n.subsection_with_name AS subsection_with_name,
       min(n.course_order) AS course_order, count(DISTINCT n.actor_id) AS learners, count() AS page_visits
FROM {{reporting_db}}.fact_navigation_completion AS n
WHERE n.course_key = {course_key:String}
  AND (n.org, n.course_key, n.actor_id) IN (SELECT org, course_key, actor_id FROM {{at_risk_learners}})
GROUP BY section_with_name, subsection_with_name
ORDER BY course_order, section_with_name, subsection_with_name
