-- @title Video viewers and partial / full views per video
-- aspects-dbt v8 datasets read fact_video_watches (watched seconds and views per learner and
-- video); the project's schema has no such model, so this computes the same answer from
-- fact_video_segments, as the v7.0.0 dataset does.
-- @dashboard Course Dashboard: Video Engagement, Partial and Full Video Views; Individual Learner: Partial and Full Video Views; In-Context Analytics Course: Video Engagement
-- @dataset video_watches
-- @requires reporting.fact_video_segments, reporting.dim_course_blocks
-- @gap full_views, learners_rewatching: the generator picks each video position at random, so no learner plays a video to its end; fact_video_segments keeps one row per learner and second after OPTIMIZE FINAL (ReplacingMergeTree) and the generated plays never cover a second twice within one insert block
-- @key object_id
WITH per_second AS (
  SELECT s.actor_id, s.object_id, any(s.video_duration) AS video_duration, s.watched_segment,
         sum(s.watch_count) AS watched_count
  FROM {{reporting_db}}.fact_video_segments AS s
  INNER JOIN {{reporting_db}}.dim_course_blocks AS b
    ON s.course_key = b.course_key AND splitByString('/xblock/', s.object_id)[-1] = b.block_id
  WHERE s.course_key = {course_key:String}
  GROUP BY s.actor_id, s.object_id, s.watched_segment
),
per_learner AS (
  SELECT object_id, actor_id, max(watched_count) AS views,
         count(watched_segment) / any(video_duration) >= 0.95 AS full_view
  FROM per_second
  GROUP BY object_id, actor_id
)
SELECT object_id, count(DISTINCT actor_id) AS unique_viewers, sum(views) AS total_views,
       sumIf(views, full_view) AS full_views, sumIf(views, NOT full_view) AS partial_views,
       countIf(views > 1) AS learners_rewatching
FROM per_learner
GROUP BY object_id
ORDER BY object_id
