-- @title Active learners per day (uniqCombined: approximate)
-- @dashboard Operator: Active Learners
-- @scope instance
-- @approximate active_learners
SELECT toDate(emission_day) AS day, uniqCombinedMerge(actors_cnt) AS active_learners
FROM {{xapi_db}}.fact_instance_actors
GROUP BY day
ORDER BY day
