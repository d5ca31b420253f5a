-- @title Enrolled learners whose name and email are known, per course
-- @dashboard learner filters (username, name, email) of the Course and Individual Learner dashboards (no chart of its own)
-- @dataset enrollment_pii
-- @requires reporting.dim_most_recent_enrollment, reporting.dim_user_pii, event_sink.dim_course_names
-- @scope instance
SELECT e.course_key AS course_key, count(DISTINCT e.actor_id) AS learners_with_pii,
       count(DISTINCT u.username) AS usernames
FROM {{reporting_db}}.dim_most_recent_enrollment AS e
INNER JOIN {{event_sink_db}}.dim_course_names AS n ON n.course_key = toString(e.course_key)
INNER JOIN {{reporting_db}}.dim_user_pii AS u ON u.external_user_id = e.actor_id
GROUP BY course_key
ORDER BY course_key
