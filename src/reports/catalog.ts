/**
 * The report suite: one report per Superset dataset of Aspects that runs in ClickHouse (see the
 * README's dashboard table), a few pipeline cross-checks, plus any the user adds from a directory.
 *
 * A report file is one SELECT. Header lines `-- @key value` describe it:
 *
 * - `@title` one line shown in summaries;
 * - `@dashboard` the Superset dashboard(s) and chart(s) it stands for;
 * - `@dataset` the Superset dataset whose answer it computes;
 * - `@requires db.model, …` the models it reads (`xapi.`, `reporting.` or `event_sink.`): a report
 *   whose model the configured `aspects_version` lacks is skipped, with that reason;
 * - `@versions >=8.0.0` (or `<8.0.0`, `7.0.0`, a comma list of such) the aspects-dbt releases it
 *   applies to; skipped on the others;
 * - `@gap col, col: reason` metric columns the generated data leaves at zero, and why (the suite's
 *   "every report lights up" test exempts them, and fails once they light up);
 * - `@scope instance` when it reads the whole instance (no org/course filter);
 * - `@approximate col, col` columns compared with a tolerance (e.g. `uniqCombinedMerge`);
 * - `@key col, col` columns that identify a row in diffs (default: every non-numeric column).
 *
 * Databases are written `{{xapi_db}}`, `{{event_sink_db}}`, `{{reporting_db}}` (validated
 * identifiers, substituted) and values are bound parameters: `{org:String}`,
 * `{course_key:String}`, `{now:DateTime('UTC')}`. `{{at_risk_learners}}` is a subquery of the
 * learners Aspects calls at risk at `{now}` (org, course_key, actor_id, last_visited,
 * enrollment_mode, grade_bucket, enrolled_at), which every at-risk dataset filters on.
 *
 * Build-time note: the built-in files are listed in {@link BUILTIN_REPORT_FILES} and read from
 * {@link REPORT_SQL_DIR} next to this module; the build copies `src/reports/sql` to
 * `lib/reports/sql`, and the Action bundle copies them next to `dist/index.js`.
 */

import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AspectsVersion, aspectsModels, resolveAspectsVersion } from '../clickhouse/aspects-version.ts';
import { IDENTIFIER_PATTERN, type SchemaNames } from '../clickhouse/schema.ts';
import { ConfigError, describeError, XapiDbLoadError } from '../errors.ts';

/**
 * The built-in suite, in run order: one report per Superset dataset that runs in ClickHouse,
 * grouped by the dashboard that uses it first, then the pipeline cross-checks. Names are the
 * file stems: the dataset name in kebab case.
 */
export const BUILTIN_REPORT_FILES = [
  // Operator Dashboard
  'fact-instance-enrollments.sql',
  'fact-instance-actors.sql',
  'fact-instance-events.sql',
  'fact-instance-courses.sql',
  'dim-course-names.sql',
  'course-overviews.sql',
  'xapi-events-all-parsed.sql',
  'dim-most-recent-enrollment.sql',
  'indexed-events.sql',
  // Course Dashboard
  'enrollment-status.sql',
  'enrollments.sql',
  'dim-student-status.sql',
  'student-status-plus-7-days.sql',
  'learner-response-attempts.sql',
  'navigation-completion.sql',
  'pageview-engagement.sql',
  'problem-engagement.sql',
  'video-engagement.sql',
  'video-watches.sql',
  'watched-video-segments.sql',
  // Course Comparison Dashboard
  'course-information.sql',
  'learner-performance.sql',
  'learner-performance-breakdown.sql',
  'watched-video-duration.sql',
  // Individual Learner
  'learner-summary.sql',
  'problem-coursewide-avg.sql',
  // At-Risk Learners
  'at-risk-learners.sql',
  'at-risk-navigation-completion.sql',
  'at-risk-pageview-engagement.sql',
  'at-risk-problem-engagement.sql',
  'at-risk-video-engagement.sql',
  'at-risk-coursewide-avg.sql',
  'at-risk-video-watches.sql',
  'at-risk-watched-video-segments.sql',
  // In-Context Analytics
  'problem-results.sql',
  'problem-responses.sql',
  'graded-subsection-engagement.sql',
  'graded-subsection-results.sql',
  'graded-subsection-performance.sql',
  'graded-subsection-performance-v7.sql',
  // datasets of dashboard filters (no chart of their own)
  'dim-course-blocks.sql',
  'enrollment-pii.sql',
  'tag-filter.sql',
  // pipeline sanity: cross-checks on the event tables, no dashboard
  'pipeline-problem-evaluations.sql',
  'pipeline-video-plays.sql',
  'pipeline-forum-activity.sql',
] as const;

/** Directory of the built-in `.sql` files. */
export const REPORT_SQL_DIR = new URL('./sql/', import.meta.url);

/** Relative tolerance of `@approximate` columns when the report does not set one. @default 0.05 */
export const DEFAULT_APPROXIMATE_TOLERANCE = 0.05;

/** Name pattern of reports (file stems). */
export const REPORT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

export interface ReportDefinition {
  /** File stem, e.g. `at-risk-learners`. */
  readonly name: string;
  readonly title: string;
  readonly dashboard: string | null;
  /** The Superset dataset it computes (`@dataset`). */
  readonly dataset: string | null;
  /** Models it reads, `db.model` with db `xapi`, `reporting` or `event_sink` (`@requires`). */
  readonly requires: readonly string[];
  /** Version conditions (`@versions`), all releases when empty: e.g. `{ op: '>=', version: '8.0.0' }`. */
  readonly versions: readonly VersionCondition[];
  /** Metric columns the generated data leaves at zero (`@gap`), with the reason; none when null. */
  readonly gap: { readonly columns: readonly string[]; readonly reason: string } | null;
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

/** One `@versions` condition; a report applies when any of its conditions holds. */
export interface VersionCondition {
  readonly op: '<' | '<=' | '>' | '>=' | '=';
  readonly version: string;
}

/** Databases a `@requires` entry may name (the schema's three databases). */
export const REQUIRES_DATABASES = ['xapi', 'reporting', 'event_sink'] as const;

// `{{xapi_db}}.model` / `{{reporting_db}}.model` in report SQL.
const MODEL_REFERENCE = /\{\{(xapi_db|reporting_db)\}\}\.([A-Za-z_][A-Za-z0-9_]*)/g;
const REQUIRES_PATTERN = /^(xapi|reporting|event_sink)\.([A-Za-z_][A-Za-z0-9_]*)$/;
const VERSION_CONDITION_PATTERN = /^(<=|>=|<|>|=)?\s*v?(\d+\.\d+\.\d+)$/;

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
  const requires = list(meta.get('requires'));
  const versionTexts = list(meta.get('versions'));
  const problems = [
    ...requires
      .filter((r) => !REQUIRES_PATTERN.test(r))
      .map(
        (r) => `@requires got ${JSON.stringify(r)}; expected db.model with db one of ${REQUIRES_DATABASES.join(', ')}`,
      ),
    ...versionTexts
      .filter((v) => !VERSION_CONDITION_PATTERN.test(v))
      .map(
        (v) =>
          `@versions got ${JSON.stringify(v)}; expected a release such as 7.0.0, optionally after <, <=, >, >= or =`,
      ),
  ];
  const gapText = meta.get('gap');
  const gapMatch = gapText === undefined ? null : /^([^:]+):\s*(\S.*)$/.exec(gapText);
  if (gapText !== undefined && !gapMatch) {
    problems.push(`@gap got ${JSON.stringify(gapText)}; expected "col, col: reason"`);
  }
  if (problems.length > 0) {
    throw new ConfigError(problems.map((message) => ({ key: 'reports', message: `report ${name}: ${message}` })));
  }
  const versions = versionTexts.map((v): VersionCondition => {
    const match = VERSION_CONDITION_PATTERN.exec(v) as RegExpExecArray;
    return Object.freeze({ op: (match[1] ?? '=') as VersionCondition['op'], version: match[2] as string });
  });
  const sql = text.trim().replace(/;\s*$/, '');
  if (sql.replace(/--.*$/gm, '').trim() === '') {
    throw new ConfigError([{ key: 'reports', message: `report file ${source}: empty; expected one SELECT` }]);
  }
  return Object.freeze({
    name,
    title: meta.get('title') ?? name,
    dashboard: meta.get('dashboard') ?? null,
    dataset: meta.get('dataset') ?? null,
    requires: Object.freeze(requires),
    versions: Object.freeze(versions),
    gap: gapMatch
      ? Object.freeze({ columns: Object.freeze(list(gapMatch[1])), reason: (gapMatch[2] as string).trim() })
      : null,
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

/**
 * The learners the at-risk datasets show: failing (no pass yet), still enrolled, with a course
 * visit before the 7 days that end at `now` (`last_visited`: the latest such visit, as Aspects
 * picks it), with the status columns the at-risk charts group by. One definition, so every
 * at-risk report filters the same learners; reports filter with `IN`, since joining these
 * views to views of the same tables trips the analyzer's duplicate-column check.
 */
const AT_RISK_LEARNERS_SQL = `(
  SELECT status.org AS org, status.course_key AS course_key, status.actor_id AS actor_id,
         visits.last_visited AS last_visited, status.enrollment_mode AS enrollment_mode,
         status.grade_bucket AS grade_bucket, status.enrolled_at AS enrolled_at
  FROM {{reporting_db}}.dim_student_status AS status
  INNER JOIN (
    SELECT org, course_key, actor_id, max(emission_time) AS last_visited
    FROM {{reporting_db}}.dim_learner_last_course_visit
    WHERE emission_time < subtractDays({now:DateTime('UTC')}, 7)
    GROUP BY org, course_key, actor_id
  ) AS visits ON visits.org = status.org AND visits.course_key = status.course_key AND visits.actor_id = status.actor_id
  WHERE status.approving_state = 'failed' AND status.enrollment_status = 'registered'
)`;

/** Subqueries a report may name as `{{name}}`; expanded before the database names. */
const REPORT_FRAGMENTS: Readonly<Record<string, string>> = { at_risk_learners: AT_RISK_LEARNERS_SQL };

/** Compares two `x.y.z` releases numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function holds(condition: VersionCondition, version: string): boolean {
  const c = compareVersions(version, condition.version);
  switch (condition.op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    default:
      return c === 0;
  }
}

/**
 * Why a report does not run on an aspects-dbt release, or null when it does: its `@versions`
 * exclude the release, or a model it `@requires` in the xAPI or reporting database is not among
 * `models` (the release's, see `aspectsModels`). Event-sink models are the same in every release.
 *
 * @example
 * reportSkipReason(report, '8.0.0', aspectsModels('8.0.0'));
 * // 'needs reporting.dim_subsection_performance, which aspects_version 8.0.0 does not have'
 */
export function reportSkipReason(
  report: Pick<ReportDefinition, 'requires' | 'versions' | 'sql'>,
  version: string,
  models: ReadonlySet<string>,
): string | null {
  if (report.versions.length > 0 && !report.versions.some((c) => holds(c, version))) {
    const list = report.versions.map((c) => `${c.op === '=' ? '' : c.op}${c.version}`).join(', ');
    return `applies to aspects_version ${list}, not ${version}`;
  }
  // The models named in @requires, and any the SQL reads that the header forgot.
  const read = [...report.sql.matchAll(MODEL_REFERENCE)].map(
    (m) => `${m[1] === 'xapi_db' ? 'xapi' : 'reporting'}.${m[2] as string}`,
  );
  const missing = [...new Set([...report.requires, ...read])].filter(
    (r) => !r.startsWith('event_sink.') && !models.has(r.slice(r.indexOf('.') + 1)),
  );
  if (missing.length > 0) {
    return `needs ${missing.join(', ')}, which aspects_version ${version} does not have`;
  }
  return null;
}

/** Substitutes the fragments and the database placeholders after validating the names. */
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
  const expanded = report.sql.replace(/\{\{([a-z_]+)\}\}/g, (whole, key: string) => REPORT_FRAGMENTS[key] ?? whole);
  return expanded.replace(/\{\{([a-z_]+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) {
      throw new XapiDbLoadError(
        `report ${report.name}: unknown placeholder ${whole}; expected one of ${[...Object.keys(values), ...Object.keys(REPORT_FRAGMENTS)].join(', ')}`,
      );
    }
    return value;
  });
}

/** A report some aspects_version does not run, and why. */
export interface SkippedReport {
  readonly report: ReportDefinition;
  readonly reason: string;
}

/**
 * Splits `reports` into those the release runs and those it skips (see {@link reportSkipReason}),
 * so a suite written for several releases runs on each.
 *
 * @example
 * const { runnable, skipped } = reportsForVersion(await loadReports(), names.aspectsVersion);
 */
export function reportsForVersion(
  reports: readonly ReportDefinition[],
  version: AspectsVersion | undefined,
): { runnable: ReportDefinition[]; skipped: SkippedReport[] } {
  const resolved = resolveAspectsVersion(version);
  const models = aspectsModels(resolved);
  const runnable: ReportDefinition[] = [];
  const skipped: SkippedReport[] = [];
  for (const report of reports) {
    const reason = reportSkipReason(report, resolved, models);
    if (reason === null) runnable.push(report);
    else skipped.push({ report, reason });
  }
  return { runnable, skipped };
}
