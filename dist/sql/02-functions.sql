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
