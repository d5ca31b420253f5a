-- @title Problem evaluations from the event table (batching-independent cross-check)
-- @dashboard pipeline sanity
-- @requires xapi.problem_events
SELECT problem_id, count() AS evaluations, countIf(success) AS correct,
       uniqExact(actor_id) AS learners, max(attempts) AS max_attempt
FROM {{xapi_db}}.problem_events FINAL
WHERE course_key = {course_key:String} AND verb_id = 'https://w3id.org/xapi/acrossx/verbs/evaluated'
GROUP BY problem_id
ORDER BY problem_id
