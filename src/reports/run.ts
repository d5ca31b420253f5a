/**
 * Runs report queries and turns their results into normalized, comparable values:
 * integers as numbers (or decimal strings past 2^53), floats rounded to
 * {@link FLOAT_SIGNIFICANT_DIGITS} significant digits, times as UTC ISO-8601 strings.
 */

import { randomUUID } from 'node:crypto';
import type { ClickHouseSettings } from '@clickhouse/client';
import type { ClickHouse } from '../clickhouse/connect.ts';
import type { SchemaNames } from '../clickhouse/schema.ts';
import { formatEpochDay } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { type ReportDefinition, renderReportSql } from './catalog.ts';

/** Values bound into every report. */
export interface ReportParams {
  readonly org: string;
  readonly courseKey: string;
  /** Courses of a multi-course (org-wide) filter, bound to `{course_keys:Array(String)}`. */
  readonly courseKeys?: readonly string[];
  /** The pinned reference time that replaces `now()`: `YYYY-MM-DD hh:mm:ss`, UTC. */
  readonly now: string;
}

/**
 * Significant digits kept of float results. The embedded engine prints Float64 with 17 digits
 * and servers with 15, and float sums depend on thread scheduling in the last bits.
 */
export const FLOAT_SIGNIFICANT_DIGITS = 10;

/**
 * Settings of report queries: UTC so the engine's host time zone never leaks into results, and
 * 64-bit integers quoted on every target (the embedded engine and servers default differently).
 */
export const REPORT_SETTINGS: ClickHouseSettings = {
  session_timezone: 'UTC',
  output_format_json_quote_64bit_integers: 1,
};

/**
 * The reference time of a dataset: its `now` when the config sets one, else midnight UTC after
 * its `end_date`, so "the last 7 days" are the last 7 days of generated activity, whatever the
 * wall clock says.
 */
export function referenceTimeFromConfig(config: Pick<Config, 'endDate' | 'now'>): string {
  if (config.now !== null) return new Date(config.now * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return `${formatEpochDay(config.endDate + 1)} 00:00:00`;
}

/**
 * The course the course-scoped reports look at when none is given: the course with the most
 * statements (ties: the smallest key), so reports come out as full as the data allows.
 */
export async function pickCourse(
  ch: ClickHouse,
  names: SchemaNames,
): Promise<{ readonly org: string; readonly courseKey: string }> {
  const query =
    `SELECT org, course_key, count() AS n FROM ${names.xapiDb}.xapi_events_all_parsed ` +
    "WHERE course_key != '' GROUP BY org, course_key ORDER BY n DESC, course_key LIMIT 1";
  let rows: { org: string; course_key: string }[];
  try {
    const rs = await ch.client.query({ query, format: 'JSONEachRow' });
    rows = await rs.json<{ org: string; course_key: string }>();
  } catch (error) {
    throw new XapiDbLoadError(`Cannot pick a course for the reports on ${ch.description}: ${describeError(error)}`, {
      cause: error,
    });
  }
  const row = rows[0];
  if (!row) {
    throw new XapiDbLoadError(
      `No course in ${names.xapiDb}.xapi_events_all_parsed on ${ch.description}: load a dataset first, or pass --course`,
    );
  }
  return { org: row.org, courseKey: row.course_key };
}

/** A scalar after normalization. */
export type ReportValue = string | number | boolean | null | ReportValue[];

/** The normalized result of one report. */
export interface ReportResult {
  readonly name: string;
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly rows: readonly (readonly ReportValue[])[];
}

/** One timed execution. */
export interface ReportExecution {
  readonly result: ReportResult;
  readonly elapsedMs: number;
  readonly queryId: string;
}

/**
 * Runs one report and normalizes its rows (sorted, so `ORDER BY` ties never reorder a snapshot).
 *
 * @example
 * const { result } = await runReport(ch, report, DEFAULT_SCHEMA_NAMES, { org: 'Org0', courseKey, now });
 */
export async function runReport(
  ch: ClickHouse,
  report: ReportDefinition,
  names: SchemaNames,
  params: ReportParams,
  options: { readonly queryId?: string; readonly now?: () => number } = {},
): Promise<ReportExecution> {
  const clock = options.now ?? (() => performance.now());
  const query = renderReportSql(report, names);
  const queryId = options.queryId ?? randomUUID();
  const bound = boundReportParams(query, params);
  const started = clock();
  let data: { meta: { name: string; type: string }[]; data: unknown[][] };
  try {
    const rs = await ch.client.query({
      query,
      format: 'JSONCompact',
      query_params: bound,
      query_id: queryId,
      clickhouse_settings: REPORT_SETTINGS,
    });
    data = (await rs.json()) as typeof data;
  } catch (error) {
    throw new XapiDbLoadError(`Report ${report.name} failed on ${ch.description}: ${describeError(error)}`, {
      cause: error,
    });
  }
  const elapsedMs = clock() - started;
  return { result: reportResultFromJsonCompact(report, data), elapsedMs, queryId };
}

/**
 * A report's result from its `JSONCompact` answer (`meta` and `data`): values normalized, rows
 * sorted, so results compare across runs and engines.
 */
export function reportResultFromJsonCompact(
  report: Pick<ReportDefinition, 'name'>,
  data: { meta: { name: string; type: string }[]; data: unknown[][] },
): ReportResult {
  const types = data.meta.map((m) => m.type);
  const rows = data.data.map((row) => row.map((value, i) => normalizeValue(value, types[i] ?? 'String')));
  rows.sort(compareRows);
  return { name: report.name, columns: data.meta.map((m) => m.name), types, rows };
}

/** The report's bound values: `now` always, `org` and `course_key` where its SQL names them. */
export function reportQueryParams(sql: string, params: ReportParams): Record<string, string> {
  const bound: Record<string, string> = { now: params.now };
  if (sql.includes('{org:')) bound.org = params.org;
  if (sql.includes('{course_key:')) bound.course_key = params.courseKey;
  return bound;
}

/** {@link reportQueryParams} plus the course list of a multi-course filter, where the SQL names it. */
export function boundReportParams(sql: string, params: ReportParams): Record<string, string | readonly string[]> {
  const bound: Record<string, string | readonly string[]> = reportQueryParams(sql, params);
  if (params.courseKeys && sql.includes('{course_keys:')) bound.course_keys = params.courseKeys;
  return bound;
}

/** Strips `Nullable(…)` and `LowCardinality(…)`. */
export function baseType(type: string): string {
  let t = type.trim();
  for (;;) {
    const match = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (!match) return t;
    t = (match[1] as string).trim();
  }
}

/** True for numeric ClickHouse types. */
export function isNumericType(type: string): boolean {
  return /^(U?Int\d+|Float\d+|Decimal|BFloat16)/.test(baseType(type));
}

/** Normalizes one value by its ClickHouse type. */
export function normalizeValue(value: unknown, type: string): ReportValue {
  if (value === null || value === undefined) return null;
  const t = baseType(type);
  if (t.startsWith('Array(')) {
    const inner = t.slice('Array('.length, -1);
    return Array.isArray(value) ? value.map((v) => normalizeValue(v, inner)) : String(value);
  }
  if (/^U?Int\d+$/.test(t)) {
    const text = String(value);
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (/^(Float|Decimal|BFloat16)/.test(t)) return normalizeFloat(value);
  if (t === 'Bool') return value === true || value === 'true' || value === 1;
  if (t.startsWith('DateTime')) return toIsoUtc(String(value));
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
}

/** Rounds to {@link FLOAT_SIGNIFICANT_DIGITS}; NaN and infinities become strings. */
export function normalizeFloat(value: unknown): number | string {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return 0;
  return Number(n.toPrecision(FLOAT_SIGNIFICANT_DIGITS));
}

/** `2023-11-27 10:00:00.123000` (UTC, as the session time zone prints it) → `2023-11-27T10:00:00.123Z`. */
export function toIsoUtc(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(text);
  if (!match) return text;
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  return `${match[1]}T${match[2]}${fraction ? `.${fraction}` : ''}Z`;
}

/** Total order on normalized rows: null < boolean < number < string < array, element by element. */
export function compareRows(a: readonly ReportValue[], b: readonly ReportValue[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function rank(v: ReportValue): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  return 4;
}

function compareValues(a: ReportValue, b: ReportValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) return compareRows(a, b);
  return 0;
}
