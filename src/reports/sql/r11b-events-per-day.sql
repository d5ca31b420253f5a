-- @title Events per day (uniqCombined: approximate)
-- @dashboard Operator: Event Activity
-- @scope instance
-- @approximate events
SELECT toDate(emission_day) AS day, uniqCombinedMerge(events_cnt) AS events
FROM {{xapi_db}}.fact_instance_events
GROUP BY day
ORDER BY day
