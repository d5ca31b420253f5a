-- @title Graded subsections: learners per range of their average score (aspects-dbt v8 dataset)
-- Ranges as the v8 dataset draws them: the learner's average scaled score, in percent rounded to
-- two decimals, above 90, 70, 50, 30 or 0.
-- @dashboard In-Context Analytics Graded Subsection: Graded Subsection Performance
-- @dataset graded_subsection_performance
-- @requires reporting.dim_subsection_problem_results
-- @versions >=8.0.0
-- @key block_id_short, score_range
WITH per_learner AS (
  SELECT block_id_short, actor_id, avg(scaled_score) AS avg_score,
         round(avg_score * 100, 2) AS percent
  FROM {{reporting_db}}.dim_subsection_problem_results FINAL
  WHERE course_key = {course_key:String}
  GROUP BY block_id_short, actor_id
)
SELECT block_id_short,
       multiIf(percent > 90, '>90%', percent > 70, '71-90%', percent > 50, '51-70%',
               percent > 30, '31-50%', percent > 0, '1-30%', '0%') AS score_range,
       count() AS learners, round(avg(avg_score), 4) AS avg_score
FROM per_learner
GROUP BY block_id_short, score_range
ORDER BY block_id_short, score_range
