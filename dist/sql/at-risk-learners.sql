-- @title At-risk learners (failing, enrolled, no visit in the 7 days before the reference time) per track and grade bucket
-- @dashboard At-Risk Learners: Learners, Last Visit Date, Enrollees by Enrollment Track, Distribution of Course Grades, Enrollment Dates
-- @dataset at_risk_learners
-- @requires reporting.dim_student_status, reporting.dim_learner_last_course_visit
SELECT enrollment_mode, grade_bucket, count(DISTINCT actor_id) AS learners,
       count(DISTINCT toDate(enrolled_at)) AS enrollment_days, max(last_visited) AS last_visit
FROM {{at_risk_learners}}
WHERE course_key = {course_key:String}
GROUP BY enrollment_mode, grade_bucket
ORDER BY enrollment_mode, grade_bucket
