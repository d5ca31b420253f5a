/**
 * Filter combinations of the perf check, as the dashboards' native filters produce them: a
 * course-scoped report runs for the check's course (the busiest, unless one is given), for a
 * median course, and org-wide (every course of the org). Each is profiled and timed on its own,
 * so a query that is cheap for one small course but scans the org shows up.
 *
 * Report SQL is not edited: the org-wide variant rewrites `= {course_key:String}` into
 * `IN {course_keys:Array(String)}`, the shape Superset gives a multi-course filter. A report that
 * uses `{course_key:String}` any other way has no org-wide variant, and the reason is kept.
 */

import type { ClickHouse } from '../clickhouse/connect.ts';
import type { SchemaNames } from '../clickhouse/schema.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';
import type { ReportDefinition } from './catalog.ts';
import type { ReportParams } from './run.ts';

/** `course`: the check's own course; `median-course`: the median course by statements; `org`: org-wide. */
export type FilterId = 'course' | 'median-course' | 'org';

export const FILTER_IDS: readonly FilterId[] = Object.freeze(['course', 'median-course', 'org']);

export interface FilterCombination {
  readonly id: FilterId;
  /** What the filter is, for summaries: `course-v1:… (1,234 statements)`. */
  readonly label: string;
  readonly org: string;
  readonly courseKey: string;
  /** Every course of the org (the org-wide filter); one course otherwise. */
  readonly courseKeys: readonly string[];
}

/**
 * `course,median-course,org` (any subset) or `none` → filter ids; a string describing the problem
 * when invalid (`got "x"; expected …`).
 */
export function parseFilterList(raw: string): FilterId[] | string {
  const items = raw
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 1 && items[0] === 'none') return [];
  const bad = items.filter((i) => !(FILTER_IDS as readonly string[]).includes(i));
  if (bad.length > 0 || items.length === 0) {
    return `got ${JSON.stringify(raw)}; expected a comma-separated subset of ${FILTER_IDS.join(', ')}, or none`;
  }
  return FILTER_IDS.filter((id) => items.includes(id));
}

/** The name of a report's perf entry for a filter (the check's course keeps the bare name). */
export function perfEntryName(report: string, filter: FilterId | null): string {
  return filter === null || filter === 'course' ? report : `${report}@${filter}`;
}

/**
 * The three filter combinations of a dataset. `course` is `given` when set, else the course with
 * the most statements (as `pickCourse`); the median course is the middle of the courses sorted by
 * statements (ties by key); the org is the org of `course`.
 */
export async function pickFilterCombinations(
  ch: ClickHouse,
  names: SchemaNames,
  given: { readonly org: string; readonly courseKey: string },
  only: readonly FilterId[] = FILTER_IDS,
): Promise<FilterCombination[]> {
  const query =
    `SELECT org, course_key, count() AS n FROM ${names.xapiDb}.xapi_events_all_parsed ` +
    "WHERE course_key != '' GROUP BY org, course_key ORDER BY n DESC, course_key";
  let rows: { org: string; course_key: string; n: string | number }[];
  try {
    const rs = await ch.client.query({ query, format: 'JSONEachRow' });
    rows = await rs.json();
  } catch (error) {
    throw new XapiDbLoadError(`Cannot pick the perf filters on ${ch.description}: ${describeError(error)}`, {
      cause: error,
    });
  }
  const count = (key: string) => Number(rows.find((r) => r.course_key === key)?.n ?? 0).toLocaleString('en-US');
  const out: FilterCombination[] = [];
  if (only.includes('course')) {
    out.push({
      id: 'course',
      label: `${given.courseKey} (${count(given.courseKey)} statements)`,
      org: given.org,
      courseKey: given.courseKey,
      courseKeys: [given.courseKey],
    });
  }
  const median = rows[Math.floor((rows.length - 1) / 2)];
  if (only.includes('median-course') && median) {
    out.push({
      id: 'median-course',
      label: `${median.course_key} (median of ${rows.length} courses, ${count(median.course_key)} statements)`,
      org: median.org,
      courseKey: median.course_key,
      courseKeys: [median.course_key],
    });
  }
  if (only.includes('org')) {
    const keys = rows
      .filter((r) => r.org === given.org)
      .map((r) => r.course_key)
      .sort();
    out.push({
      id: 'org',
      label: `org ${given.org} (${keys.length} courses)`,
      org: given.org,
      courseKey: given.courseKey,
      courseKeys: keys.length > 0 ? keys : [given.courseKey],
    });
  }
  return out;
}

/** The report as it runs under `filter`, or the reason it cannot. */
export function reportForFilter(
  report: ReportDefinition,
  filter: FilterId,
): { readonly report: ReportDefinition } | { readonly skipped: string } {
  if (filter !== 'org') return { report };
  const equality = /=\s*\{course_key:String\}/g;
  const rewritten = report.sql.replace(equality, 'IN {course_keys:Array(String)}');
  if (rewritten === report.sql) return { skipped: 'no `= {course_key:String}` filter to widen' };
  if (rewritten.includes('{course_key:')) {
    return { skipped: '`{course_key:String}` is also used outside an `=` filter' };
  }
  return { report: { ...report, sql: rewritten } };
}

/** The report parameters of a filter combination. */
export function filterParams(filter: FilterCombination, now: string): ReportParams {
  return { org: filter.org, courseKey: filter.courseKey, courseKeys: filter.courseKeys, now };
}
