-- @title Active learners per day, instance-wide (uniqCombined: approximate)
-- @dashboard Operator Dashboard: Active Learners
-- @dataset fact_instance_actors
-- @requires xapi.fact_instance_actors
-- @scope instance
-- @approximate active_learners
SELECT toDate(emission_day) AS day, uniqCombinedMerge(actors_cnt) AS active_learners
FROM {{xapi_db}}.fact_instance_actors
GROUP BY day
ORDER BY day
