-- @title Events per day, instance-wide (uniqCombined: approximate)
-- @dashboard Operator Dashboard: Event Activity
-- @dataset fact_instance_events
-- @requires xapi.fact_instance_events
-- @scope instance
-- @approximate events
SELECT toDate(emission_day) AS day, uniqCombinedMerge(events_cnt) AS events
FROM {{xapi_db}}.fact_instance_events
GROUP BY day
ORDER BY day
