-- @title Forum activity per day and verb (no Aspects chart since the forum MV was removed)
-- @dashboard pipeline sanity
-- @requires xapi.xapi_events_all_parsed
SELECT course_key, toDate(emission_time) AS day, splitByChar('/', verb_id)[-1] AS verb,
       count() AS events, uniqExact(actor_id) AS learners
FROM {{xapi_db}}.xapi_events_all_parsed
WHERE JSON_VALUE(event, '$.object.definition.type') = 'http://id.tincanapi.com/activitytype/discussion'
  AND course_key = {course_key:String}
GROUP BY course_key, day, verb
ORDER BY day, verb
