-- Aspects schema, step 1: SQL UDFs used by the parsed-xAPI view to find the organization.
-- SQL UDFs are server-wide (not per database), hence CREATE OR REPLACE: every schema on the
-- server shares one definition and re-running the bootstrap is harmless.
--
-- Backslashes: this file is sent to ClickHouse verbatim, and a ClickHouse string literal turns
-- `\\` into one backslash, so the regular expressions below reach RE2 as `\w` and `\-`.

-- `…/course/course-v1:ORG+COURSE+RUN` → `ORG`: the character class has no `+`, so the match
-- stops at the first `+`. NULL when the URL holds no course-v1 key.
CREATE OR REPLACE FUNCTION get_org_from_course_url AS (course_url) ->
  nullIf(extract(course_url, 'course-v1:([a-zA-Z0-9\\w\\-~.:%]*)'), '');

-- CCX (custom course) keys look like `ccx-v1:ORG+COURSE+RUN+ccx@N`.
CREATE OR REPLACE FUNCTION get_org_from_ccx_course_url AS (course_url) ->
  nullIf(extract(course_url, 'ccx-v1:([a-zA-Z0-9]*)'), '');

-- Outline position `S:SS:U` of a `S:SS:U - Name` label, each part left-padded to two characters
-- with char(8) (backspace). aspects-dbt pads this way so that Superset sorts `2:…` before
-- `10:…` as text while showing the number unchanged; the problem and subsection models use it.
CREATE OR REPLACE FUNCTION aspects_outline_number AS (label_with_location) ->
  arrayStringConcat(
    arrayMap(outline_part -> leftPad(outline_part, 2, char(8)), splitByString(':', splitByString(' - ', label_with_location)[1])),
    ':');

-- `<outline number>_<n>`: n is the sub-question number of a `…@problem+block@id_N` object id
-- (1 when the id has none).
CREATE OR REPLACE FUNCTION aspects_problem_number AS (problem_object_id, label_with_location) ->
  concat(
    aspects_outline_number(label_with_location),
    '_',
    ifNull(nullIf(substring(regexpExtract(problem_object_id, '(@problem\\+block@[\\w\\d][^_/]*)(_\\d)?', 2), 2), ''), '1'));
