-- @title Blocks per type in the course outline, and how many are graded
-- @dashboard filters of the Course and In-Context dashboards (no chart of its own)
-- @dataset dim_course_blocks
-- @requires reporting.dim_course_blocks
SELECT block_type, count() AS blocks, countIf(graded) AS graded, count(DISTINCT subsection_block_id) AS subsections
FROM {{reporting_db}}.dim_course_blocks
WHERE course_key = {course_key:String}
GROUP BY block_type
ORDER BY block_type
