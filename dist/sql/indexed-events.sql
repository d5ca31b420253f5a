-- @title Active users and events per organization (events of courses the LMS knows)
-- @dashboard Operator Dashboard: Active Users Per Organization
-- @dataset indexed_events
-- @requires xapi.xapi_events_all_parsed, event_sink.dim_course_names
-- @scope instance
SELECT events.org AS org, uniqExact(events.actor_id) AS active_users, count() AS events
FROM {{xapi_db}}.xapi_events_all_parsed AS events
INNER JOIN {{event_sink_db}}.dim_course_names AS courses ON courses.course_key = toString(events.course_key)
GROUP BY org
ORDER BY org
