-- @title Enrollees, active learners (last 7 days before the reference time) and tags per course
-- @dashboard Course Comparison Dashboard: Enrollment Counts, Course Info
-- @dataset course_information
-- @requires reporting.dim_most_recent_enrollment, reporting.dim_learner_last_course_visit, reporting.dim_most_recent_course_tags, event_sink.dim_course_names
-- @scope instance
SELECT e.org AS org, e.course_key AS course_key, any(n.course_name) AS course_name,
       count(DISTINCT e.actor_id) AS enrollees,
       count(DISTINCT if(v.emission_time >= subtractDays({now:DateTime('UTC')}, 7), e.actor_id, NULL)) AS active_learners,
       count(DISTINCT t.tag) AS tags
FROM {{reporting_db}}.dim_most_recent_enrollment AS e
LEFT JOIN {{reporting_db}}.dim_learner_last_course_visit AS v
  ON v.org = e.org AND v.course_key = e.course_key AND v.actor_id = e.actor_id
LEFT JOIN {{event_sink_db}}.dim_course_names AS n ON n.course_key = toString(e.course_key)
LEFT JOIN {{reporting_db}}.dim_most_recent_course_tags AS t ON t.course_key = toString(e.course_key)
WHERE e.enrollment_status = 'registered'
GROUP BY org, course_key
ORDER BY course_key
