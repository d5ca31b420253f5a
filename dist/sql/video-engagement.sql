-- @title Learners by video engagement per section and subsection
-- @dashboard Course Dashboard: Video Engagement per Section/Subsection; Individual Learner: Video Engagement per Section/Subsection, per Section, per Subsection
-- @dataset video_engagement
-- @requires reporting.fact_video_engagement
-- The model's rows with an empty learner (subsections nobody in an insert block watched) are not learners.
SELECT content_level, section_subsection_name, section_subsection_video_engagement AS engagement,
       count(DISTINCT actor_id) AS learners
FROM {{reporting_db}}.fact_video_engagement FINAL
WHERE course_key = {course_key:String} AND actor_id != ''
GROUP BY content_level, section_subsection_name, engagement
ORDER BY content_level, section_subsection_name, engagement
