-- @title At-risk learners' views across each video's duration
-- @dashboard At-Risk Learners: Number of Views across Video Duration
-- @dataset at_risk_watched_video_segments
-- @requires reporting.fact_video_segments, reporting.dim_student_status, reporting.dim_learner_last_course_visit
-- @key object_id
SELECT s.object_id AS object_id, count(DISTINCT s.watched_segment) AS seconds_watched,
       count(DISTINCT s.actor_id) AS learners, sum(s.watch_count) AS views
FROM {{reporting_db}}.fact_video_segments AS s
WHERE s.course_key = {course_key:String}
  AND (s.org, s.course_key, s.actor_id) IN (SELECT org, course_key, actor_id FROM {{at_risk_learners}})
GROUP BY object_id
ORDER BY object_id
