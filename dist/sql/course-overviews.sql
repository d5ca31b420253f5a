-- @title Courses synchronized from the LMS and the latest dump time
-- @dashboard Operator Dashboard: Last course syncronized
-- @dataset course_overviews
-- @requires event_sink.course_overviews
-- @scope instance
SELECT org, count(DISTINCT course_key) AS courses, count() AS dumps,
       max(parseDateTime64BestEffortOrNull(time_last_dumped, 6, 'UTC')) AS last_synchronized
FROM {{event_sink_db}}.course_overviews
GROUP BY org
ORDER BY org
