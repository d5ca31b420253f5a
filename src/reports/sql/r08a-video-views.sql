-- @title Video viewers and partial / full views per video
-- @dashboard Course Dashboard: Video Engagement, Partial and Full Video Views
WITH seg AS (
  SELECT s.actor_id, s.object_id, s.video_duration, s.watched_segment, sum(s.watch_count) AS watched_count
  FROM {{reporting_db}}.fact_video_segments AS s
  JOIN {{reporting_db}}.dim_course_blocks AS b
    ON s.course_key = b.course_key AND splitByString('/xblock/', s.object_id)[-1] = b.block_id
  WHERE s.course_key = {course_key:String}
  GROUP BY s.actor_id, s.object_id, s.video_duration, s.watched_segment
),
per_learner AS (
  SELECT object_id, actor_id, max(watched_count) AS views,
         count(watched_segment) / any(video_duration) >= 0.95 AS full_view
  FROM seg
  GROUP BY object_id, actor_id
)
SELECT object_id, count(DISTINCT actor_id) AS unique_viewers, sum(views) AS total_views,
       sumIf(views, full_view) AS full_views, sumIf(views, NOT full_view) AS partial_views
FROM per_learner
GROUP BY object_id
ORDER BY object_id
