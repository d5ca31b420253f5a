-- @title Views across each video's duration: seconds watched, unique and repeat views
-- @dashboard Course Dashboard, Individual Learner: Number of Views across Video Duration; In-Context Analytics Video: Unique vs. Repeat Views
-- @dataset watched_video_segments
-- @requires reporting.fact_video_segments, reporting.dim_course_blocks
-- @gap repeat_views: fact_video_segments keeps one row per learner and second after OPTIMIZE FINAL (ReplacingMergeTree) and the generated plays never cover a second twice within one insert block
-- @key object_id
WITH per_second AS (
  SELECT s.actor_id, s.object_id, s.watched_segment, sum(s.watch_count) AS watched_count
  FROM {{reporting_db}}.fact_video_segments AS s
  INNER JOIN {{reporting_db}}.dim_course_blocks AS b
    ON s.course_key = b.course_key AND splitByString('/xblock/', s.object_id)[-1] = b.block_id
  WHERE s.course_key = {course_key:String}
  GROUP BY s.actor_id, s.object_id, s.watched_segment
)
SELECT object_id, count(DISTINCT watched_segment) AS seconds_watched, count(DISTINCT actor_id) AS viewers,
       sum(watched_count) AS views, countIf(watched_count = 1) AS unique_views,
       countIf(watched_count > 1) AS repeat_views
FROM per_second
GROUP BY object_id
ORDER BY object_id
