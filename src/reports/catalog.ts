/**
 * The report suite: Aspects report queries (reference R1–R12) as `.sql` files, plus any the user
 * adds from a directory.
 *
 * A report file is one SELECT. Header lines `-- @key value` describe it:
 *
 * - `@title` one line shown in summaries;
 * - `@dashboard` the Superset chart it stands for;
 * - `@scope instance` when it reads the whole instance (no org/course filter);
 * - `@approximate col, col` columns compared with a tolerance (e.g. `uniqCombinedMerge`);
 * - `@key col, col` columns that identify a row in diffs (default: every non-numeric column).
 *
 * Databases are written `{{xapi_db}}`, `{{event_sink_db}}`, `{{reporting_db}}` (validated
 * identifiers, substituted) and values are bound parameters: `{org:String}`,
 * `{course_key:String}`, `{now:DateTime('UTC')}`.
 *
 * Build-time note: the built-in files are listed in {@link BUILTIN_REPORT_FILES} and read from
 * {@link REPORT_SQL_DIR} next to this module; the build copies `src/reports/sql` to
 * `lib/reports/sql`, and the Action bundle copies them next to `dist/index.js`.
 */

import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AspectsVersion, aspectsModels } from '../clickhouse/aspects-version.ts';
import { IDENTIFIER_PATTERN, type SchemaNames } from '../clickhouse/schema.ts';
import { ConfigError, describeError, XapiDbLoadError } from '../errors.ts';

/** The built-in suite, in run order. Names are the file stems. */
export const BUILTIN_REPORT_FILES = [
  'r01-enrollments-per-day.sql',
  'r02-enrollments-by-track-monthly.sql',
  'r03a-current-enrollees.sql',
  'r03b-enrollees-per-track.sql',
  'r04a-grade-distribution.sql',
  'r04b-approving-state.sql',
  'r05-course-information.sql',
  'r06-problem-attempts.sql',
  'r07-problem-evaluations.sql',
  'r08a-video-views.sql',
  'r08b-video-plays.sql',
  'r09-page-engagement.sql',
  'r10-learner-summary.sql',
  'r11a-active-learners-per-day.sql',
  'r11b-events-per-day.sql',
  'r11c-courses-per-org.sql',
  'r11d-last-received-event.sql',
  'r12-forum-activity.sql',
  'r13a-page-engagement-levels.sql',
  'r13b-problem-engagement-levels.sql',
  'r13c-video-engagement-levels.sql',
  'r14-problem-coursewide-average.sql',
  'r15a-problem-results.sql',
  'r15b-problem-initial-responses.sql',
  'r16a-graded-subsection-results.sql',
  'r16b-graded-subsection-performance.sql',
] as const;

/** Directory of the built-in `.sql` files. */
export const REPORT_SQL_DIR = new URL('./sql/', import.meta.url);

/** Relative tolerance of `@approximate` columns when the report does not set one. @default 0.05 */
export const DEFAULT_APPROXIMATE_TOLERANCE = 0.05;

/** Name pattern of reports (file stems). */
export const REPORT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

export interface ReportDefinition {
  /** File stem, e.g. `r01-enrollments-per-day`. */
  readonly name: string;
  readonly title: string;
  readonly dashboard: string | null;
  /** `instance` reports ignore the org/course parameters. */
  readonly scope: 'course' | 'instance';
  /** Columns compared with {@link tolerance} instead of exactly. */
  readonly approximate: readonly string[];
  /** Relative tolerance of the approximate columns (`@tolerance 0.05`). */
  readonly tolerance: number;
  /** Columns that identify a row in diffs; `null` = every non-numeric column. */
  readonly key: readonly string[] | null;
  /** SQL with `{{db}}` placeholders still in. */
  readonly sql: string;
  /** Where it came from: `builtin` or the file path. */
  readonly source: string;
}

/** Parses one report file. */
export function parseReport(name: string, text: string, source: string): ReportDefinition {
  if (!REPORT_NAME_PATTERN.test(name)) {
    throw new ConfigError([
      {
        key: 'reports',
        message: `report file ${source}: got name ${JSON.stringify(name)}; expected ${REPORT_NAME_PATTERN}`,
      },
    ]);
  }
  const meta = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*--\s*@([a-z]+)\s*(.*)$/.exec(line);
    if (match) meta.set(match[1] as string, (match[2] as string).trim());
  }
  const list = (value: string | undefined): string[] =>
    value === undefined
      ? []
      : value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  const toleranceText = meta.get('tolerance');
  const tolerance = toleranceText === undefined ? DEFAULT_APPROXIMATE_TOLERANCE : Number(toleranceText);
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new ConfigError([
      {
        key: 'reports',
        message: `report ${name}: @tolerance got ${JSON.stringify(toleranceText)}; expected a non-negative number`,
      },
    ]);
  }
  const sql = text.trim().replace(/;\s*$/, '');
  if (sql.replace(/--.*$/gm, '').trim() === '') {
    throw new ConfigError([{ key: 'reports', message: `report file ${source}: empty; expected one SELECT` }]);
  }
  return Object.freeze({
    name,
    title: meta.get('title') ?? name,
    dashboard: meta.get('dashboard') ?? null,
    scope: meta.get('scope') === 'instance' ? 'instance' : 'course',
    approximate: Object.freeze(list(meta.get('approximate'))),
    tolerance,
    key: meta.has('key') ? Object.freeze(list(meta.get('key'))) : null,
    sql,
    source,
  });
}

export interface LoadReportsOptions {
  /** Also run every `*.sql` of these directories (sorted by name), after the built-in suite. */
  readonly dirs?: readonly string[];
  /** Only these report names (or prefixes such as `r11`); all when empty. */
  readonly only?: readonly string[];
  /** Skip the built-in suite (a user directory only). @default false */
  readonly skipBuiltin?: boolean;
}

/**
 * Reads the suite.
 *
 * @example
 * const reports = await loadReports({ dirs: ['reports/'], only: ['r01', 'my-report'] });
 */
export async function loadReports(options: LoadReportsOptions = {}): Promise<ReportDefinition[]> {
  const reports: ReportDefinition[] = [];
  if (!options.skipBuiltin) {
    const dir = fileURLToPath(REPORT_SQL_DIR);
    for (const file of BUILTIN_REPORT_FILES) {
      const text = await readFile(join(dir, file), 'utf8');
      reports.push(parseReport(basename(file, '.sql'), text, 'builtin'));
    }
  }
  for (const dir of options.dirs ?? []) {
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
    } catch (error) {
      throw new ConfigError(
        [{ key: 'reports_dir', message: `reports_dir: got ${JSON.stringify(dir)}; ${describeError(error)}` }],
        { cause: error },
      );
    }
    for (const file of files) {
      const path = join(dir, file);
      reports.push(parseReport(basename(file, '.sql'), await readFile(path, 'utf8'), path));
    }
  }
  const seen = new Set<string>();
  for (const report of reports) {
    if (seen.has(report.name)) {
      throw new ConfigError([
        { key: 'reports', message: `report ${report.name}: defined twice (${report.source}); names must be unique` },
      ]);
    }
    seen.add(report.name);
  }
  const only = options.only ?? [];
  if (only.length === 0) return reports;
  const unknown = only.filter((o) => !reports.some((r) => r.name === o || r.name.startsWith(o)));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((o) => ({
        key: 'reports',
        message: `reports: got ${JSON.stringify(o)}; expected a report name or prefix (${reports.map((r) => r.name).join(', ')})`,
      })),
    );
  }
  return reports.filter((r) => only.some((o) => r.name === o || r.name.startsWith(o)));
}

/** Substitutes the database placeholders after validating the names. */
export function renderReportSql(report: ReportDefinition, names: SchemaNames): string {
  const values: Record<string, string> = {
    xapi_db: names.xapiDb,
    event_sink_db: names.eventSinkDb,
    reporting_db: names.reportingDb,
    raw_table: names.rawTable,
  };
  for (const value of Object.values(values)) {
    if (!IDENTIFIER_PATTERN.test(value)) {
      throw new XapiDbLoadError(`Invalid schema name ${JSON.stringify(value)}; expected ${IDENTIFIER_PATTERN}`);
    }
  }
  return report.sql.replace(/\{\{([a-z_]+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) {
      throw new XapiDbLoadError(
        `report ${report.name}: unknown placeholder ${whole}; expected one of ${Object.keys(values).join(', ')}`,
      );
    }
    return value;
  });
}

const MODEL_REFERENCE = /\{\{(?:xapi_db|reporting_db)\}\}\.([A-Za-z_][A-Za-z0-9_]*)/g;

/** A report some aspects_version cannot run, with the models it lacks. */
export interface SkippedReport {
  readonly report: ReportDefinition;
  readonly missing: readonly string[];
}

/**
 * Splits `reports` into those the release can run and those reading a model it does not have
 * (e.g. `dim_subsection_performance`, gone in aspects-dbt v8.0.0), so a suite written for several
 * releases runs on each.
 *
 * @example
 * const { runnable, skipped } = reportsForVersion(await loadReports(), names.aspectsVersion);
 */
export function reportsForVersion(
  reports: readonly ReportDefinition[],
  version: AspectsVersion | undefined,
): { runnable: ReportDefinition[]; skipped: SkippedReport[] } {
  const models = aspectsModels(version);
  const runnable: ReportDefinition[] = [];
  const skipped: SkippedReport[] = [];
  for (const report of reports) {
    const read = [...report.sql.matchAll(MODEL_REFERENCE)].map((m) => m[1] as string);
    const missing = [...new Set(read.filter((model) => !models.has(model)))];
    if (missing.length === 0) runnable.push(report);
    else skipped.push({ report, missing });
  }
  return { runnable, skipped };
}
