-- @title Tags of the tag filter and the courses that carry each
-- @dashboard tag filter of every course-level dashboard (no chart of its own)
-- @dataset tag_filter
-- @requires reporting.dim_most_recent_course_tags, event_sink.dim_most_recent_tags
-- @scope instance
SELECT tags.id AS tag_id, countMatches(tags.lineage, ',') AS depth, tags.value AS tag,
       count(DISTINCT course_tags.course_key) AS courses
FROM {{event_sink_db}}.dim_most_recent_tags AS tags FINAL
LEFT JOIN {{reporting_db}}.dim_most_recent_course_tags AS course_tags ON course_tags.tag_id = tags.id
GROUP BY tag_id, depth, tag
ORDER BY tag_id
