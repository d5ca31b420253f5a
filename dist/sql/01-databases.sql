-- Aspects schema, step 0: the three databases.
-- {{xapi_db}}       raw xAPI table, parsed and per-domain xAPI tables (Aspects: `xapi`, config `db_name`)
-- {{event_sink_db}} tables written by the LMS/CMS event sink, course/learner dims (`event_sink`)
-- {{reporting_db}}  learner-level tables and views read by the Superset datasets (`reporting`)
-- Names are substituted by src/clickhouse/schema.ts after validation; they may coincide.

CREATE DATABASE IF NOT EXISTS {{xapi_db}};

CREATE DATABASE IF NOT EXISTS {{event_sink_db}};

CREATE DATABASE IF NOT EXISTS {{reporting_db}};
