-- @title Last received event
-- @dashboard Operator: Last Received Event
-- @scope instance
SELECT max(emission_time) AS last_event
FROM {{xapi_db}}.xapi_events_all_parsed
