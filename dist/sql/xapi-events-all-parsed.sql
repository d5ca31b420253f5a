-- @title Last received event and parsed events, instance-wide
-- @dashboard Operator Dashboard: Last Received Event
-- @dataset xapi_events_all_parsed
-- @requires xapi.xapi_events_all_parsed
-- @scope instance
SELECT max(emission_time) AS last_event, count() AS events
FROM {{xapi_db}}.xapi_events_all_parsed
