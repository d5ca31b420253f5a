-- @title Courses with activity per day, instance-wide (uniqCombined: approximate)
-- @dashboard Operator Dashboard: Active Courses
-- @dataset fact_instance_courses
-- @requires xapi.fact_instance_courses
-- @scope instance
-- @approximate active_courses
SELECT toDate(emission_hour) AS day, uniqCombinedMerge(courses_cnt) AS active_courses
FROM {{xapi_db}}.fact_instance_courses
GROUP BY day
ORDER BY day
