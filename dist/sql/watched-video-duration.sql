-- @title Per course: videos, videos watched, seconds watched and seconds watched more than once
-- @dashboard Course Comparison Dashboard: Video Engagement
-- @dataset watched_video_duration
-- @requires reporting.fact_video_segments, reporting.dim_course_blocks
-- @scope instance
WITH videos AS (
  SELECT org, course_key, count(DISTINCT block_id) AS videos
  FROM {{reporting_db}}.dim_course_blocks
  WHERE block_type = 'video'
  GROUP BY org, course_key
),
per_learner_second AS (
  SELECT course_key, object_id, actor_id, watched_segment, sum(watch_count) AS watch_count
  FROM {{reporting_db}}.fact_video_segments
  WHERE (course_key, splitByString('/xblock/', object_id)[-1])
    IN (SELECT course_key, block_id FROM {{reporting_db}}.dim_course_blocks WHERE block_type = 'video')
  GROUP BY course_key, object_id, actor_id, watched_segment
),
per_second AS (
  SELECT course_key, object_id, watched_segment, max(watch_count) AS watch_count
  FROM per_learner_second
  GROUP BY course_key, object_id, watched_segment
),
watched AS (
  SELECT course_key, count(DISTINCT object_id) AS videos_watched, count() AS seconds_watched,
         countIf(watch_count > 1) AS seconds_rewatched
  FROM per_second
  GROUP BY course_key
)
SELECT v.org AS org, v.course_key AS course_key, v.videos AS videos,
       w.videos_watched AS videos_watched, w.seconds_watched AS seconds_watched,
       w.seconds_rewatched AS seconds_rewatched
FROM videos AS v
LEFT JOIN watched AS w ON w.course_key = v.course_key
ORDER BY course_key
