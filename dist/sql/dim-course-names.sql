-- @title Courses and runs per organization
-- @dashboard Operator Dashboard: Courses, Total Organizations, Courses Per Organization
-- @dataset dim_course_names
-- @requires event_sink.dim_course_names
-- @scope instance
SELECT org, count(DISTINCT course_key) AS courses, count(DISTINCT course_run) AS runs
FROM {{event_sink_db}}.dim_course_names
GROUP BY org
ORDER BY org
