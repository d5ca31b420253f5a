-- @title Graded subsections: learners per average-score range
-- @dashboard In-Context Graded Subsection: Performance (dataset graded_subsection_performance; aspects-dbt v7.0.0 only)
SELECT block_id, score_range, score_range_count, total_avg
FROM {{reporting_db}}.dim_subsection_performance FINAL
WHERE course_key = {course_key:String}
ORDER BY block_id, score_range
