/**
 * check-known-answers: for every course of a loaded journeys dataset, run the charts' queries
 * and compare every bar with the expected tables — exactly; a bar one side lacks counts as 0.
 *
 * The charts are the six engagement and video charts upstream's Aspects checks (the project's
 * renditions of their datasets) plus two families of ours: problem results and enrollments.
 * Each chart is two queries returning `key` plus its metric columns, per course: `sql` reads
 * the Aspects models, `expectedSql` reads the expected tables. Block keys are the blocks'
 * `display_name_with_location` (`1:2:0 - Subsection 1.2`), as the charts label bars.
 */

import { type AspectsVersion, aspectsModels, resolveAspectsVersion } from '../clickhouse/aspects-version.ts';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { aspectsDbtTag, IDENTIFIER_PATTERN, type SchemaNames } from '../clickhouse/schema.ts';
import { describeError, ReportMismatchError, XapiDbLoadError } from '../errors.ts';

/** One chart of the check. */
export interface KnownAnswerChart {
  /** Stable name, e.g. `page-engagement`. */
  readonly name: string;
  /** The Aspects chart (or our family) it stands for. */
  readonly title: string;
  /** The bars' metrics, in column order after `key`. */
  readonly metrics: readonly string[];
  /** Model side: `{{db}}` placeholders and `{course_key:String}`. */
  readonly sql: string;
  /** Expected side, reading `{{expected_db}}`. */
  readonly expectedSql: string;
  /** Models (xAPI and reporting databases) the chart reads; a release without one skips the chart. */
  readonly requires: readonly string[];
}

const BLOCK_NAMES = `(SELECT location, display_name_with_location FROM {{event_sink_db}}.dim_most_recent_course_blocks WHERE course_key = {course_key:String})`;

function engagementChart(
  name: string,
  title: string,
  metric: 'pages' | 'problems' | 'videos',
  model: string,
  statusColumn: string,
  labels: readonly [string, string],
  distinctLearners: boolean,
): KnownAnswerChart {
  const [some, all] = labels;
  // Pages and problems count model rows (as the chart's metrics do); videos count distinct learners.
  const countIf = (cond: string) => (distinctLearners ? `uniqExactIf(actor_id, ${cond})` : `countIf(${cond})`);
  return {
    name,
    title,
    requires: [model.replace(/^.*\}\}\.([a-z_]+).*$/s, '$1')],
    metrics: ['at_least_one', 'all'],
    sql: `SELECT section_subsection_name AS key,
       ${countIf(`${statusColumn} IN ('${some}', '${all}')`)} AS at_least_one,
       ${countIf(`${statusColumn} = '${all}'`)} AS all
FROM ${model}
WHERE course_key = {course_key:String} AND section_subsection_name != '' AND actor_id != ''
GROUP BY key`,
    expectedSql: `SELECT ifNull(names.display_name_with_location, e.block_id) AS key,
       ${countIf("startsWith(e.status, 'At least') OR startsWith(e.status, 'All')").replace('actor_id', 'e.actor_id')} AS at_least_one,
       ${countIf("startsWith(e.status, 'All')").replace('actor_id', 'e.actor_id')} AS all
FROM {{expected_db}}.expected_engagement AS e
LEFT JOIN ${BLOCK_NAMES} AS names ON names.location = e.block_id
WHERE e.course_key = {course_key:String} AND e.metric = '${metric}'
GROUP BY key
SETTINGS join_use_nulls = 1`,
  };
}

/** Per learner and video: views (most times any second was watched) and distinct seconds. */
const VIDEO_VIEWS = `(
  SELECT object_id, actor_id, any(video_duration) AS video_duration, max(watched) AS views,
         countIf(watched > 0) AS distinct_seconds
  FROM (
    SELECT object_id, actor_id, video_duration, watched_segment, sum(watch_count) AS watched
    FROM {{reporting_db}}.fact_video_segments FINAL
    WHERE course_key = {course_key:String}
    GROUP BY object_id, actor_id, video_duration, watched_segment
  )
  GROUP BY object_id, actor_id
)`;

/** A per-video chart: each metric as [model expression over {@link VIDEO_VIEWS}, expected expression over `expected_video_seconds`]. */
function videoChart(name: string, title: string, metrics: Record<string, readonly [string, string]>): KnownAnswerChart {
  const columns = (side: 0 | 1) =>
    Object.entries(metrics)
      .map(([metric, sql]) => `${sql[side]} AS ${metric}`)
      .join(', ');
  return {
    name,
    title,
    requires: ['fact_video_segments'],
    metrics: Object.keys(metrics),
    sql: `SELECT ifNull(names.display_name_with_location, v.object_id) AS key, ${columns(0)}
FROM ${VIDEO_VIEWS} AS v
LEFT JOIN ${BLOCK_NAMES} AS names ON names.location = splitByString('/xblock/', v.object_id)[-1]
GROUP BY key
SETTINGS join_use_nulls = 1`,
    expectedSql: `SELECT ifNull(names.display_name_with_location, v.video_block_id) AS key, ${columns(1)}
FROM {{expected_db}}.expected_video_seconds AS v
LEFT JOIN ${BLOCK_NAMES} AS names ON names.location = v.video_block_id
WHERE v.course_key = {course_key:String}
GROUP BY key
SETTINGS join_use_nulls = 1`,
  };
}

/**
 * The charts, in output order. Engineer tools (plan profiles) can run `sql` with
 * `{ course_key }` after {@link renderKnownAnswerSql}.
 */
export const KNOWN_ANSWER_CHARTS: readonly KnownAnswerChart[] = Object.freeze([
  engagementChart(
    'page-engagement',
    'Page Engagement per Section/Subsection',
    'pages',
    '{{reporting_db}}.fact_pageview_engagement',
    'section_subsection_page_engagement',
    ['At least one page viewed', 'All pages viewed'],
    false,
  ),
  engagementChart(
    'problem-engagement',
    'Problem Engagement per Section/Subsection',
    'problems',
    '{{reporting_db}}.fact_problem_engagement',
    'section_subsection_problem_engagement',
    ['At least one problem attempted', 'All problems attempted'],
    false,
  ),
  engagementChart(
    'video-engagement',
    'Video Engagement per Section/Subsection',
    'videos',
    '(SELECT * FROM {{reporting_db}}.fact_video_engagement FINAL)',
    'section_subsection_video_engagement',
    ['At least one video viewed', 'All videos viewed'],
    true,
  ),
  videoChart('video-views', 'Video Engagement (total and repeat views per video)', {
    total_views: ['sum(v.views)', 'sum(v.observable_max_views)'],
    repeat_views: ['sumIf(v.views, v.views > 1)', 'sumIf(v.observable_max_views, v.observable_max_views > 1)'],
  }),
  videoChart('video-full-partial', 'Partial and Full Video Views', {
    full_views: [
      'sumIf(v.views, v.distinct_seconds / v.video_duration >= 0.95)',
      'sumIf(v.observable_max_views, v.observable_distinct_seconds / v.video_duration >= 0.95)',
    ],
    partial_views: [
      'sumIf(v.views, v.distinct_seconds / v.video_duration < 0.95)',
      'sumIf(v.observable_max_views, v.observable_distinct_seconds / v.video_duration < 0.95)',
    ],
  }),
  {
    name: 'video-seconds',
    requires: ['fact_video_segments'],
    title: 'Number of Views across Video Duration (sum over seconds)',
    metrics: ['total_views'],
    sql: `SELECT 'seconds watched' AS key, sum(watch_count) AS total_views
FROM {{reporting_db}}.fact_video_segments FINAL
WHERE course_key = {course_key:String} AND watched_segment != 0`,
    expectedSql: `SELECT 'seconds watched' AS key, sum(observable_seconds) AS total_views
FROM {{expected_db}}.expected_video_seconds
WHERE course_key = {course_key:String}`,
  },
  {
    name: 'problem-results',
    requires: ['dim_problem_results'],
    title: 'Problem Results (learners correct, correct at the first attempt)',
    metrics: ['learners_correct', 'correct_first_try'],
    sql: `SELECT ifNull(names.display_name_with_location, r.block_id_short) AS key,
       countIf(r.success AND r.actor_id != '') AS learners_correct,
       countIf(r.success AND r.actor_id != '' AND r.attempts = 1) AS correct_first_try
FROM (SELECT * FROM {{reporting_db}}.dim_problem_results FINAL WHERE course_key = {course_key:String}) AS r
LEFT JOIN ${BLOCK_NAMES} AS names ON splitByString('@', names.location)[-1] = r.block_id_short
GROUP BY key
SETTINGS join_use_nulls = 1`,
    expectedSql: `SELECT ifNull(names.display_name_with_location, p.problem_block_id) AS key,
       countIf(p.success = 1) AS learners_correct,
       countIf(p.first_attempt_success = 1) AS correct_first_try
FROM {{expected_db}}.expected_problem_results AS p
LEFT JOIN ${BLOCK_NAMES} AS names ON names.location = p.problem_block_id
WHERE p.course_key = {course_key:String}
GROUP BY key
SETTINGS join_use_nulls = 1`,
  },
  {
    name: 'enrollments',
    requires: ['dim_most_recent_enrollment'],
    title: 'Enrollments by mode (enrolled learners)',
    metrics: ['learners'],
    sql: `SELECT enrollment_mode AS key, uniqExact(actor_id) AS learners
FROM {{reporting_db}}.dim_most_recent_enrollment FINAL
WHERE course_key = {course_key:String} AND enrollment_status = 'registered'
GROUP BY key`,
    expectedSql: `SELECT enrollment_mode AS key, uniqExact(actor_id) AS learners
FROM {{expected_db}}.expected_enrollments
WHERE course_key = {course_key:String}
GROUP BY key`,
  },
]);

/** Substitutes the database placeholders (validated identifiers). */
export function renderKnownAnswerSql(sql: string, names: SchemaNames, expectedDb: string): string {
  const values: Record<string, string> = {
    xapi_db: names.xapiDb,
    event_sink_db: names.eventSinkDb,
    reporting_db: names.reportingDb,
    raw_table: names.rawTable,
    expected_db: expectedDb,
  };
  for (const value of Object.values(values)) {
    if (!IDENTIFIER_PATTERN.test(value)) {
      throw new XapiDbLoadError(`Invalid database name ${JSON.stringify(value)}; expected ${IDENTIFIER_PATTERN}`);
    }
  }
  return sql.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}

/** A chart query for profiling: name, rendered SQL and its parameters. */
export interface ChartQuery {
  readonly name: string;
  readonly sql: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Every chart query of the check for one course (model side and expected side), rendered.
 * @example
 * for (const q of knownAnswerQueries(names, 'journeys', courseKey)) await ch.client.query({ query: q.sql, query_params: q.params });
 */
export function knownAnswerQueries(
  names: SchemaNames,
  expectedDb: string,
  courseKey: string,
  charts: readonly KnownAnswerChart[] = KNOWN_ANSWER_CHARTS,
): ChartQuery[] {
  return charts.flatMap((chart) => [
    { name: chart.name, sql: renderKnownAnswerSql(chart.sql, names, expectedDb), params: { course_key: courseKey } },
    {
      name: `${chart.name} (expected)`,
      sql: renderKnownAnswerSql(chart.expectedSql, names, expectedDb),
      params: { course_key: courseKey },
    },
  ]);
}

/** One bar that differs. */
export interface BarDifference {
  readonly course: string;
  readonly chart: string;
  /** The bar: block display name with location, video, or mode. */
  readonly bar: string;
  readonly metric: string;
  readonly expected: number;
  readonly actual: number;
}

/** One chart for one course. */
export interface ChartCourseResult {
  readonly course: string;
  readonly chart: string;
  readonly title: string;
  readonly bars: number;
  readonly matched: number;
  readonly differing: number;
}

export interface KnownAnswersResult {
  readonly courses: readonly string[];
  readonly results: readonly ChartCourseResult[];
  /** The release whose models were checked. */
  readonly aspectsVersion: AspectsVersion;
  readonly differences: readonly BarDifference[];
  readonly ok: boolean;
}

export interface CheckKnownAnswersOptions {
  /** @default "journeys" */
  readonly expectedDb?: string;
  /** @default {@link KNOWN_ANSWER_CHARTS} */
  readonly charts?: readonly KnownAnswerChart[];
  readonly log?: (line: string) => void;
}

type Bars = Map<string, number[]>;

/**
 * A bar's key as compared: invisible characters dropped (Aspects pads video numbers with U+E0108
 * so they sort in course order) and at most two ` - ` parts (`1:2:3 - Video 1.2.3.1`).
 */
export function barKey(label: string): string {
  return label
    .replace(/[\p{C}\p{M}]/gu, '')
    .split(' - ')
    .slice(0, 2)
    .join(' - ');
}

async function readBars(
  ch: ClickHouse,
  sql: string,
  courseKey: string,
  metrics: readonly string[],
  what: string,
): Promise<Bars> {
  let rows: Array<Record<string, unknown>>;
  try {
    const rs = await ch.client.query({ query: sql, query_params: { course_key: courseKey }, format: 'JSONEachRow' });
    rows = await rs.json<Record<string, unknown>>();
  } catch (error) {
    throw new XapiDbLoadError(
      `${what} failed for ${courseKey} on ${ch.description}: ${ch.redact(describeError(error)).split('\n')[0]}`,
      { cause: error },
    );
  }
  const bars: Bars = new Map();
  for (const row of rows) {
    const key = barKey(String(row.key ?? ''));
    const values = metrics.map((m) => Number(row[m] ?? 0));
    const previous = bars.get(key);
    bars.set(key, previous ? previous.map((v, i) => v + (values[i] ?? 0)) : values);
  }
  return bars;
}

/** Courses of the loaded journeys dataset, ascending. */
export async function knownAnswerCourses(ch: ClickHouse, expectedDb: string): Promise<string[]> {
  if (!IDENTIFIER_PATTERN.test(expectedDb)) {
    throw new XapiDbLoadError(`Invalid database name ${JSON.stringify(expectedDb)}; expected ${IDENTIFIER_PATTERN}`);
  }
  try {
    const rs = await ch.client.query({
      query: `SELECT DISTINCT course_key FROM ${expectedDb}.expected_engagement ORDER BY course_key`,
      format: 'JSONEachRow',
    });
    return (await rs.json<{ course_key: string }>()).map((r) => r.course_key);
  } catch (error) {
    throw new XapiDbLoadError(
      `No known answers in ${expectedDb} on ${ch.description}: run \`xapi-db-load load-journeys\` first ` +
        `(${ch.redact(describeError(error)).split('\n')[0]})`,
      { cause: error },
    );
  }
}

/**
 * Runs every chart for every course of the journeys dataset and compares every bar.
 *
 * @example
 * const result = await checkKnownAnswers(ch, names, { expectedDb: 'journeys' });
 * console.log(formatKnownAnswers(result));
 */
export async function checkKnownAnswers(
  ch: ClickHouse,
  names: SchemaNames,
  options: CheckKnownAnswersOptions = {},
): Promise<KnownAnswersResult> {
  const expectedDb = options.expectedDb ?? 'journeys';
  const models = aspectsModels(names.aspectsVersion);
  const charts: KnownAnswerChart[] = [];
  for (const chart of options.charts ?? KNOWN_ANSWER_CHARTS) {
    const missing = chart.requires.filter((m) => !models.has(m));
    if (missing.length === 0) charts.push(chart);
    else
      options.log?.(
        `${chart.name}: skipped (aspects-dbt ${aspectsDbtTag(names.aspectsVersion)} has no ${missing.join(', ')})`,
      );
  }
  const courses = await knownAnswerCourses(ch, expectedDb);
  if (courses.length === 0) {
    throw new XapiDbLoadError(
      `No known answers found in ${expectedDb}.expected_engagement on ${ch.description}; run \`xapi-db-load load-journeys\` first`,
    );
  }
  const results: ChartCourseResult[] = [];
  const differences: BarDifference[] = [];
  for (const course of courses) {
    let courseDifferences = 0;
    for (const chart of charts) {
      const actual = await readBars(
        ch,
        renderKnownAnswerSql(chart.sql, names, expectedDb),
        course,
        chart.metrics,
        `Chart ${chart.name}`,
      );
      const expected = await readBars(
        ch,
        renderKnownAnswerSql(chart.expectedSql, names, expectedDb),
        course,
        chart.metrics,
        `Expected side of ${chart.name}`,
      );
      const zeros = chart.metrics.map(() => 0);
      let bars = 0;
      let matched = 0;
      for (const key of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
        const want = expected.get(key) ?? zeros;
        const got = actual.get(key) ?? zeros;
        // A bar both sides show as zero is no bar.
        if (want.every((v) => v === 0) && got.every((v) => v === 0)) continue;
        bars += 1;
        let same = true;
        chart.metrics.forEach((metric, i) => {
          if (want[i] !== got[i]) {
            same = false;
            differences.push({
              course,
              chart: chart.name,
              bar: key,
              metric,
              expected: want[i] ?? 0,
              actual: got[i] ?? 0,
            });
          }
        });
        if (same) matched += 1;
      }
      courseDifferences += bars - matched;
      results.push({ course, chart: chart.name, title: chart.title, bars, matched, differing: bars - matched });
    }
    options.log?.(`${course}: ${courseDifferences} differing bars`);
  }
  return {
    courses,
    results,
    aspectsVersion: resolveAspectsVersion(names.aspectsVersion),
    differences,
    ok: differences.length === 0,
  };
}

/** The verdict as text: one line per chart and course, then every difference. */
export function formatKnownAnswers(result: KnownAnswersResult): string {
  const lines = ['chart | course | bars | matched | differing'];
  for (const r of result.results) lines.push(`${r.chart} | ${r.course} | ${r.bars} | ${r.matched} | ${r.differing}`);
  for (const d of result.differences) {
    lines.push(
      `DIFF ${d.course} ${d.chart}: ${JSON.stringify(d.bar)} ${d.metric}: expected ${d.expected}, chart shows ${d.actual}`,
    );
  }
  lines.push(
    result.ok
      ? `Every checked chart number matches the known answers for ${result.courses.length} courses (aspects-dbt v${result.aspectsVersion}).`
      : `${result.differences.length} chart numbers differ from the known answers (aspects-dbt v${result.aspectsVersion}).`,
  );
  return lines.join('\n');
}

/** The verdict as a Markdown table (the Action's job summary). */
export function knownAnswersMarkdown(result: KnownAnswersResult): string {
  const rows = result.results.map(
    (r) => `| ${r.title} | \`${r.course}\` | ${r.bars} | ${r.matched} | ${r.differing} |`,
  );
  const diffs = result.differences.map(
    (d) =>
      `| \`${d.course}\` | ${d.chart} | ${d.bar.replace(/\|/g, '\\|')} | ${d.metric} | ${d.expected} | ${d.actual} |`,
  );
  return [
    `### Known answers (aspects-dbt v${result.aspectsVersion}): ${result.ok ? 'every bar matches' : `${result.differences.length} differences`}`,
    '',
    '| chart | course | bars | matched | differing |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows,
    ...(diffs.length > 0
      ? [
          '',
          '| course | chart | bar | metric | expected | actual |',
          '| --- | --- | --- | --- | ---: | ---: |',
          ...diffs,
        ]
      : []),
  ].join('\n');
}

/** Throws when a bar differs (exit 1), naming each difference. */
export function assertKnownAnswers(result: KnownAnswersResult): void {
  if (!result.ok) throw new ReportMismatchError(formatKnownAnswers(result));
}
