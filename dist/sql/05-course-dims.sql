-- Aspects schema, step 3: course, block, tag and learner dimensions built from the event sink.
--
-- Dictionaries (not views) as in Aspects: the xAPI materialized views JOIN them at insert time,
-- so event-sink data must be loaded and the dictionaries reloaded (schema.ts
-- reloadDictionaries) BEFORE xAPI statements are inserted. Verified to work in the embedded
-- engine (chdb) as well: a CLICKHOUSE() source without a host runs the query in-process.
-- {{dictionary_auth}} is empty for chdb and `user '…' password '…'` for a server, where a
-- local source otherwise logs in as `default` with no password.
-- Source queries are written as $$…$$ heredoc literals so they need no quote doubling.

-- Latest row per block location, with the outline position decoded from xblock_data_json.
-- Like every Aspects MV it sees one insert block at a time: "latest" is per block, and the
-- ReplacingMergeTree keeps the last inserted row per location on merge.
CREATE TABLE IF NOT EXISTS {{event_sink_db}}.dim_most_recent_course_blocks
(
  location String,
  block_name String,
  display_name_with_location String,
  section Int64,
  subsection Int64,
  unit Int64,
  graded Bool,
  course_order Int32,
  course_key String,
  dump_id UUID,
  time_last_dumped String
)
ENGINE = ReplacingMergeTree
PRIMARY KEY location
ORDER BY location;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{event_sink_db}}.dim_most_recent_course_blocks_mv
TO {{event_sink_db}}.dim_most_recent_course_blocks
AS
SELECT
  location,
  display_name AS block_name,
  concat(toString(section), ':', toString(subsection), ':', toString(unit), ' - ', display_name)
    AS display_name_with_location,
  JSONExtractInt(xblock_data_json, 'section') AS section,
  JSONExtractInt(xblock_data_json, 'subsection') AS subsection,
  JSONExtractInt(xblock_data_json, 'unit') AS unit,
  -- The real sink writes 0/1, some producers true/false: accept both.
  JSONExtractBool(xblock_data_json, 'graded') OR JSONExtractInt(xblock_data_json, 'graded') = 1 AS graded,
  `order` AS course_order,
  course_key,
  dump_id,
  time_last_dumped
FROM {{event_sink_db}}.course_blocks
ORDER BY time_last_dumped DESC
LIMIT 1 BY location;

-- Latest tag / taxonomy / object-tag rows per id (same per-block caveat as above).
CREATE TABLE IF NOT EXISTS {{event_sink_db}}.dim_most_recent_tags
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
ORDER BY id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{event_sink_db}}.dim_most_recent_tags_mv
TO {{event_sink_db}}.dim_most_recent_tags
AS
SELECT id, taxonomy, parent, value, external_id, lineage, dump_id, time_last_dumped
FROM {{event_sink_db}}.tag
ORDER BY time_last_dumped DESC
LIMIT 1 BY id;

CREATE TABLE IF NOT EXISTS {{event_sink_db}}.dim_most_recent_taxonomies
(
  id Int32,
  name String,
  dump_id UUID,
  time_last_dumped String
)
ENGINE = ReplacingMergeTree
ORDER BY id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{event_sink_db}}.dim_most_recent_taxonomies_mv
TO {{event_sink_db}}.dim_most_recent_taxonomies
AS
SELECT id, name, dump_id, time_last_dumped
FROM {{event_sink_db}}.taxonomy
ORDER BY time_last_dumped DESC
LIMIT 1 BY id;

CREATE TABLE IF NOT EXISTS {{event_sink_db}}.dim_most_recent_object_tags
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
ORDER BY id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{event_sink_db}}.dim_most_recent_object_tags_mv
TO {{event_sink_db}}.dim_most_recent_object_tags
AS
SELECT id, object_id, taxonomy, tag, _value, _export_id, lineage, dump_id, time_last_dumped
FROM {{event_sink_db}}.object_tag
ORDER BY time_last_dumped DESC
LIMIT 1 BY id;

-- course_key → display name, run, org and the course's tag ids (JSON list as text), taken
-- from the most recently modified course_overviews row.
CREATE OR REPLACE DICTIONARY {{event_sink_db}}.dim_course_names
(
  course_key String,
  course_name String,
  course_run String,
  org String,
  tags_str String
)
PRIMARY KEY course_key
SOURCE(CLICKHOUSE({{dictionary_auth}} query $$
  SELECT
    course_key,
    display_name AS course_name,
    splitByString('+', course_key)[-1] AS course_run,
    org,
    JSONExtract(course_data_json, 'tags', 'String') AS tags_str
  FROM {{event_sink_db}}.course_overviews
  ORDER BY modified DESC, time_last_dumped DESC
  LIMIT 1 BY org, course_key
$$))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(120);

-- Learner PII: latest profile per user, joined to the learner's xAPI actor id. Learners with
-- no `xapi` external id are keyed `mailto:<email>` (the mbox form of an xAPI actor).
CREATE OR REPLACE DICTIONARY {{event_sink_db}}.user_pii
(
  user_id Int32,
  external_user_id String,
  username String,
  name String,
  email String
)
PRIMARY KEY user_id, external_user_id
SOURCE(CLICKHOUSE({{dictionary_auth}} query $$
  SELECT
    profile.user_id AS user_id,
    if(empty(ext.external_user_id), concat('mailto:', profile.email), toString(ext.external_user_id))
      AS external_user_id,
    profile.username AS username,
    profile.name AS name,
    profile.email AS email
  FROM (
    SELECT user_id, username, name, email
    FROM {{event_sink_db}}.user_profile
    ORDER BY time_last_dumped DESC, id DESC
    LIMIT 1 BY user_id
  ) AS profile
  LEFT JOIN (
    SELECT user_id, external_user_id
    FROM {{event_sink_db}}.external_id
    WHERE external_id_type = 'xapi'
    ORDER BY time_last_dumped DESC
    LIMIT 1 BY user_id
  ) AS ext ON profile.user_id = ext.user_id
$$))
LAYOUT(COMPLEX_KEY_SPARSE_HASHED())
LIFETIME(120);

-- Block location → name, outline position, graded flag. FINAL: read one row per location even
-- before the ReplacingMergeTree has merged.
CREATE OR REPLACE DICTIONARY {{reporting_db}}.dim_course_block_names
(
  location String,
  block_name String,
  course_key String,
  graded Bool,
  course_order Int32,
  display_name_with_location String
)
PRIMARY KEY location
SOURCE(CLICKHOUSE({{dictionary_auth}} query $$
  SELECT location, block_name, course_key, graded, course_order, display_name_with_location
  FROM {{event_sink_db}}.dim_most_recent_course_blocks FINAL
$$))
LAYOUT(COMPLEX_KEY_SPARSE_HASHED())
LIFETIME(120);

-- Course → tag value, taxonomy and lineage, from the tag ids listed in course_data_json.
-- Reads the dim_course_names dictionary, so reload it after that one.
CREATE OR REPLACE DICTIONARY {{reporting_db}}.dim_most_recent_course_tags
(
  course_key String,
  tag_id Int32,
  tag String,
  lineage String,
  taxonomy_name String
)
PRIMARY KEY course_key, tag_id
SOURCE(CLICKHOUSE({{dictionary_auth}} query $$
  SELECT
    course_tag.course_key AS course_key,
    tags.id AS tag_id,
    tags.value AS tag,
    tags.lineage AS lineage,
    taxonomies.name AS taxonomy_name
  FROM (
    SELECT course_key, arrayJoin(JSONExtract(tags_str, 'Array(Int32)')) AS tag_id
    FROM {{event_sink_db}}.dim_course_names
  ) AS course_tag
  INNER JOIN {{event_sink_db}}.dim_most_recent_tags AS tags FINAL ON tags.id = course_tag.tag_id
  INNER JOIN {{event_sink_db}}.dim_most_recent_taxonomies AS taxonomies FINAL ON taxonomies.id = tags.taxonomy
$$))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(120);

-- One row per block with its course, section and subsection. The outline position
-- `S:SS:U` comes from display_name_with_location; a block's section is the chapter at `S:0:0`
-- and its subsection the sequential at `S:SS:0` of the same course.
CREATE OR REPLACE VIEW {{reporting_db}}.dim_course_blocks
AS
WITH blocks AS (
  SELECT
    location AS block_id,
    course_key,
    block_name,
    display_name_with_location,
    course_order,
    graded,
    splitByString(' - ', display_name_with_location)[1] AS hierarchy_location,
    splitByString(':', hierarchy_location, 3) AS position,
    concat(position[1], ':0:0') AS section_number,
    concat(position[1], ':', position[2], ':0') AS subsection_number,
    regexpExtract(location, '@([^+]+)\\+block@', 1) AS location_type,
    multiIf(
      location_type = 'chapter', 'section',
      location_type = 'sequential', 'subsection',
      location_type = 'vertical', 'unit',
      location_type) AS block_type
  FROM {{reporting_db}}.dim_course_block_names
)
SELECT
  names.org AS org,
  blocks.course_key AS course_key,
  names.course_name AS course_name,
  names.course_run AS course_run,
  blocks.block_id AS block_id,
  sections.block_id AS section_block_id,
  subsections.block_id AS subsection_block_id,
  blocks.block_name AS block_name,
  blocks.section_number AS section_number,
  blocks.subsection_number AS subsection_number,
  blocks.hierarchy_location AS hierarchy_location,
  blocks.display_name_with_location AS display_name_with_location,
  blocks.course_order AS course_order,
  blocks.graded AS graded,
  blocks.block_type AS block_type,
  sections.display_name_with_location AS section_with_name,
  subsections.display_name_with_location AS subsection_with_name
FROM blocks
INNER JOIN {{event_sink_db}}.dim_course_names AS names ON names.course_key = blocks.course_key
LEFT JOIN (SELECT * FROM blocks WHERE block_type = 'section') AS sections
  ON sections.course_key = blocks.course_key AND sections.hierarchy_location = blocks.section_number
LEFT JOIN (SELECT * FROM blocks WHERE block_type = 'subsection') AS subsections
  ON subsections.course_key = blocks.course_key AND subsections.hierarchy_location = blocks.subsection_number;

CREATE OR REPLACE VIEW {{reporting_db}}.dim_user_pii
AS
SELECT external_user_id, username, name, email
FROM {{event_sink_db}}.user_pii;
