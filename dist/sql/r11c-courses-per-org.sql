-- @title Courses per organization
-- @dashboard Operator: Courses per Organization
-- @scope instance
SELECT org, count(DISTINCT course_key) AS courses
FROM {{event_sink_db}}.dim_course_names
GROUP BY org
ORDER BY org
