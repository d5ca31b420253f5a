-- Aspects schema, step 2b: the event-sink tables written by platform-plugin-aspects.
-- The real sink posts positional CSV, so the COLUMN ORDER of every table below is part of the
-- contract (src/formats writes files in the same order). Every timestamp except the xAPI
-- emission time is a String, as in Aspects; "current" rows are picked downstream by
-- max(modified) / max(time_last_dumped).

CREATE TABLE IF NOT EXISTS {{event_sink_db}}.course_overviews
(
  org String,
  course_key String,
  display_name String,
  course_start String,
  course_end String,
  enrollment_start String,
  enrollment_end String,
  self_paced Bool,
  course_data_json String,
  created String,
  modified String,
  dump_id UUID,
  time_last_dumped String
)
ENGINE = MergeTree
PRIMARY KEY (org, course_key, modified, time_last_dumped)
ORDER BY (org, course_key, modified, time_last_dumped);

CREATE TABLE IF NOT EXISTS {{event_sink_db}}.course_blocks
(
  org String,
  course_key String,
  location String,
  display_name String,
  xblock_data_json String,
  `order` Int32 DEFAULT 0,
  edited_on String,
  dump_id UUID,
  time_last_dumped String
)
ENGINE = MergeTree
PRIMARY KEY (org, course_key, location, edited_on)
ORDER BY (org, course_key, location, edited_on, `order`);

CREATE TABLE IF NOT EXISTS {{event_sink_db}}.user_profile
(
  id Int32,
  user_id Int32,
  name String,
  username String,
  email String,
  meta String,
  courseware String,
  language String,
  location String,
  year_of_birth String,
  gender String,
  level_of_education String,
  mailing_address String,
  city String,
  country String,
  state String,
  goals String,
  bio String,
  profile_image_uploaded_at String,
  phone_number String,
  dump_id UUID,
  time_last_dumped String
)
ENGINE = ReplacingMergeTree
PARTITION BY user_id % 100
PRIMARY KEY (id, time_last_dumped)
ORDER BY (id, time_last_dumped);

CREATE TABLE IF NOT EXISTS {{event_sink_db}}.external_id
(
  external_user_id UUID,
  external_id_type String,
  username String,
  user_id Int32,
  dump_id UUID,
  time_last_dumped String
)
ENGINE = ReplacingMergeTree
PARTITION BY user_id % 100
PRIMARY KEY (external_user_id, time_last_dumped)
ORDER BY (external_user_id, time_last_dumped);

CREATE TABLE IF NOT EXISTS {{event_sink_db}}.tag
(
  id Int32,
  taxonomy Int32,
  parent Int32,
  value String,
  external_id String,
  lineage String,
  dump_id UUID,
  time_last_dumped String
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (id, time_last_dumped)
ORDER BY (id, time_last_dumped);

CREATE TABLE IF NOT EXISTS {{event_sink_db}}.taxonomy
(
  id Int32,
  name String,
  dump_id UUID,
  time_last_dumped String
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (id, time_last_dumped)
ORDER BY (id, time_last_dumped);

CREATE TABLE IF NOT EXISTS {{event_sink_db}}.object_tag
(
  id Int32,
  object_id String,
  taxonomy Int32,
  tag Int32,
  _value String,
  _export_id String,
  lineage String,
  dump_id UUID,
  time_last_dumped String
)
ENGINE = ReplacingMergeTree
PRIMARY KEY (id, time_last_dumped)
ORDER BY (id, time_last_dumped);
