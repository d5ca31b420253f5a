-- @title Video plays per video from the event table (batching-independent cross-check)
-- @dashboard pipeline sanity
-- @requires xapi.video_playback_events
SELECT object_id, countIf(verb_id = 'https://w3id.org/xapi/video/verbs/played') AS plays,
       uniqExact(actor_id) AS viewers
FROM {{xapi_db}}.video_playback_events FINAL
WHERE course_key = {course_key:String}
GROUP BY object_id
ORDER BY object_id
