-- @title Graded subsections: learners per average-score range (aspects-dbt v7.0.0 model)
-- aspects-dbt v8 dropped dim_subsection_performance; graded-subsection-performance computes the v8 dataset.
-- @dashboard In-Context Analytics Graded Subsection: Graded Subsection Performance
-- @dataset graded_subsection_performance
-- @requires reporting.dim_subsection_performance
-- @versions <8.0.0
SELECT block_id, score_range, score_range_count, total_avg
FROM {{reporting_db}}.dim_subsection_performance FINAL
WHERE course_key = {course_key:String}
ORDER BY block_id, score_range
