-- @title At-risk learners by video engagement per section and subsection
-- @dashboard At-Risk Learners: Video Engagement per Section/Subsection
-- @dataset at_risk_video_engagement
-- @requires reporting.fact_video_engagement, reporting.dim_student_status, reporting.dim_learner_last_course_visit
SELECT e.content_level AS content_level, e.section_subsection_name AS section_subsection_name,
       e.section_subsection_video_engagement AS engagement, count(DISTINCT e.actor_id) AS learners
FROM {{reporting_db}}.fact_video_engagement AS e
WHERE e.course_key = {course_key:String}
  AND (e.org, e.course_key, e.actor_id) IN (SELECT org, course_key, actor_id FROM {{at_risk_learners}})
GROUP BY content_level, section_subsection_name, engagement
ORDER BY content_level, section_subsection_name, engagement
