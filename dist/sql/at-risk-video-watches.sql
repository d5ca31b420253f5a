-- @title At-risk learners' partial and full views per video
-- @dashboard At-Risk Learners: Partial and Full Video Views, Video Engagement
-- @dataset at_risk_video_watches
-- @requires reporting.fact_video_segments, reporting.dim_course_blocks, reporting.dim_student_status, reporting.dim_learner_last_course_visit
-- @gap learners_full_view: the generator picks each video position at random, so no learner plays a video to its end
-- @key object_id
WITH per_second AS (
  SELECT s.org AS org, s.course_key AS course_key, s.actor_id AS actor_id, s.object_id AS object_id,
         any(s.video_duration) AS video_duration, s.watched_segment AS watched_segment,
         sum(s.watch_count) AS watched_count
  FROM {{reporting_db}}.fact_video_segments AS s
  INNER JOIN {{reporting_db}}.dim_course_blocks AS b
    ON s.course_key = b.course_key AND splitByString('/xblock/', s.object_id)[-1] = b.block_id
  WHERE s.course_key = {course_key:String}
  GROUP BY org, course_key, actor_id, object_id, watched_segment
)
SELECT object_id, count() AS learners, sum(views) AS total_views, countIf(full_view) AS learners_full_view
FROM (
  SELECT object_id, actor_id, max(watched_count) AS views,
         count(watched_segment) / any(video_duration) >= 0.95 AS full_view
  FROM per_second
  WHERE (org, course_key, actor_id) IN (SELECT org, course_key, actor_id FROM {{at_risk_learners}})
  GROUP BY object_id, actor_id
)
GROUP BY object_id
ORDER BY object_id
