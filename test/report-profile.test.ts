/**
 * Plan profiles and the plan guards of the perf check, on the embedded engine (and the plan
 * parser on ClickHouse 25.8): profiles are identical run to run and load to load; a test-only
 * copy of a report without its course filter fails the pruning guard naming table and key; a
 * dataset twice as large fails the rows guard while its timings do not move; the server-only
 * fields are absent (not zero) on the embedded engine and the summary says why.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_SETTINGS, type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import {
  DEFAULT_SCHEMA_NAMES,
  dropSchema,
  optimizeStatements,
  reloadDictionaryStatements,
  renderSchema,
  type SchemaNames,
} from '../src/clickhouse/schema.ts';
import type { Config } from '../src/config/types.ts';
import { PerfRegressionError } from '../src/errors.ts';
import { renderCsvLoadStatements } from '../src/load/csv.ts';
import {
  loadReports,
  parseReport,
  type ReportDefinition,
  renderReportSql,
  reportsForVersion,
} from '../src/reports/catalog.ts';
import { assertNoRegression, runReportCheck } from '../src/reports/check.ts';
import { type FilterCombination, pickFilterCombinations, reportForFilter } from '../src/reports/filters.ts';
import { loadDatasetDir } from '../src/reports/load-dataset.ts';
import { comparePerf, measurePerf, type PerfRun } from '../src/reports/perf.ts';
import { EMBEDDED_QUERY_LOG_NOTE, parsePlanReads, profileQuery } from '../src/reports/profile.ts';
import { boundReportParams, pickCourse, type ReportParams, referenceTimeFromConfig } from '../src/reports/run.ts';
import { renderSummary } from '../src/reports/summary.ts';
import { chdb25Installed, chdb25SkipReason, runOn258, type Step } from './support/chdb25.ts';
import { generateTempDataset, smallDefaultConfig } from './support/report-dataset.ts';

function uniqueNames(): SchemaNames {
  const suffix = randomBytes(4).toString('hex');
  return {
    xapiDb: `xapi_${suffix}`,
    eventSinkDb: `event_sink_${suffix}`,
    reportingDb: `reporting_${suffix}`,
    rawTable: 'xapi_events_all',
  };
}

/** A course filter followed by more conditions: `course_key = {course_key:String} AND …`. */
const COURSE_FILTER = /\bcourse_key\s*=\s*\{course_key:String\}\s+AND\s+/;

let ch: ClickHouse;
let config: Config;
let dirs: string[] = [];
let reports: ReportDefinition[];
let params: ReportParams;
let filters: FilterCombination[];
const first = uniqueNames();
const second = uniqueNames();
const doubled = uniqueNames();
/** A steady clock: every timed run takes 5 ms, so only the plan can tell datasets apart. */
const steadyClock = () => {
  let t = 0;
  return () => (t += 5);
};

beforeAll(async () => {
  config = await smallDefaultConfig();
  const big = Object.freeze({ ...config, numXapiBatches: config.numXapiBatches * 2 });
  dirs = [await generateTempDataset(config), await generateTempDataset(big)];
  ch = await createClickHouse({ kind: 'embedded' });
  // The reports the default aspects-dbt release has the models of.
  reports = reportsForVersion(await loadReports(), undefined).runnable;
  await loadDatasetDir(ch, dirs[0] as string, config, { names: first });
  await loadDatasetDir(ch, dirs[0] as string, config, { names: second });
  await loadDatasetDir(ch, dirs[1] as string, big, { names: doubled });
  params = { ...(await pickCourse(ch, first)), now: referenceTimeFromConfig(config) };
  filters = await pickFilterCombinations(ch, first, params);
}, 240_000);

afterAll(async () => {
  if (ch) {
    for (const names of [first, second, doubled]) await dropSchema(ch, names);
    await ch.close();
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('plan profiles', () => {
  it('picks the busiest course, a median course and the org, and runs course-scoped reports under each', async () => {
    expect(filters.map((f) => f.id)).toEqual(['course', 'median-course', 'org']);
    expect(filters[0]?.courseKey).toBe(params.courseKey);
    expect(filters[1]?.courseKey).not.toBe(params.courseKey);
    expect(filters[2]?.courseKeys.length).toBeGreaterThan(1);
    expect(filters[2]?.courseKeys).toContain(params.courseKey);
    const courseScoped = reports.filter((r) => r.scope === 'course' && !('skipped' in reportForFilter(r, 'org')));
    expect(courseScoped.length).toBeGreaterThan(5);
    const run = await measurePerf(ch, courseScoped, first, params, { repeats: 1, warmup: 0, filters });
    const name = courseScoped[0]?.name as string;
    expect(Object.keys(run.queries).slice(0, 3)).toEqual([name, `${name}@median-course`, `${name}@org`]);
    let orgRows = 0;
    let courseRows = 0;
    for (const report of courseScoped) {
      const org = run.queries[`${report.name}@org`]?.plan?.estimatedRows ?? 0;
      const one = run.queries[report.name]?.plan?.estimatedRows ?? 0;
      // Every course of the org: never less than one of them.
      expect(org, report.name).toBeGreaterThanOrEqual(one);
      orgRows += org;
      courseRows += one;
    }
    expect(orgRows).toBeGreaterThan(courseRows);
  }, 60_000);

  it('gives identical profiles on two runs and on a second load of the same dataset', async () => {
    const options = { repeats: 1, warmup: 0, filters };
    // Two runs of the same dataset, each on its own load of it (so parts and merges differ too).
    const a = await measurePerf(ch, reports, first, params, options);
    const c = await measurePerf(ch, reports, second, params, options);
    const plans = (run: PerfRun) => Object.fromEntries(Object.entries(run.queries).map(([k, q]) => [k, q.plan]));
    expect(Object.keys(plans(a)).length).toBeGreaterThan(reports.length);
    expect(plans(c)).toEqual(plans(a));
    // The guards find nothing between them.
    expect(comparePerf(a, c, { threshold: 1e6, minDiffMs: 1e6 }).regressions).toEqual([]);
    // Something was pruned by the course: the profiles carry the evidence the guard needs.
    const pruned = Object.values(a.queries).filter((q) => q.plan?.reads.some((r) => r.prunedBy.includes('course_key')));
    expect(pruned.length).toBeGreaterThan(5);
    for (const q of Object.values(a.queries)) {
      expect(q.plan?.granules, q.name).toBeGreaterThanOrEqual(0);
      for (const read of q.plan?.reads ?? []) expect(read.table).toMatch(/^(xapi|event_sink|reporting)\./);
    }
  }, 120_000);

  it('flags a test-only copy of a report without its course filter as a pruning regression naming table and key', async () => {
    const original = reports.find((r) => r.scope === 'course' && COURSE_FILTER.test(r.sql));
    if (!original) throw new Error('no built-in report with `course_key = {course_key:String} AND …`');
    const unfiltered = parseReport(original.name, original.sql.replace(COURSE_FILTER, ''), 'test-only copy');
    expect(unfiltered.sql).not.toContain('{course_key:String}');
    const out = await mkdtemp(join(tmpdir(), 'xapi-db-load-profile-'));
    dirs.push(out);
    const perfBaselinePath = join(out, 'perf.json');
    const summaryPath = join(out, 'summary.md');
    const base = { names: first, now: params.now, org: params.org, courseKey: params.courseKey };
    // Time cannot fail this check: only the plan can.
    const perf = {
      repeats: 1,
      warmup: 0,
      baselinePath: perfBaselinePath,
      filters: ['course' as const],
      thresholds: { threshold: 1e6, minDiffMs: 1e6 },
    };
    const recorded = await runReportCheck(ch, { ...base, reports: [original], perf });
    expect(recorded.perfRegressions).toEqual([]);
    const result = await runReportCheck(ch, { ...base, reports: [unfiltered], perf, summaryPath });
    expect(result.status).toBe('regression');
    expect(result.perfRegressions).toEqual([original.name]);
    const findings = result.perfVerdict?.queries.find((q) => q.name === original.name)?.findings ?? [];
    const pruning = findings.filter((f) => f.guard === 'pruning');
    expect(pruning.length).toBeGreaterThan(0);
    expect(pruning[0]?.key).toBe('course_key');
    expect(pruning[0]?.table).toMatch(/^(xapi|reporting|event_sink)\.[a-z_]+/);
    expect(pruning[0]?.message).toMatch(/is no longer pruned by course_key/);
    expect(() => assertNoRegression(result)).toThrow(PerfRegressionError);
    expect(() => assertNoRegression(result)).toThrow(new RegExp(`${pruning[0]?.table}.*course_key`));
    const markdown = await readFile(summaryPath, 'utf8');
    expect(markdown).toContain('**Plan regressions:**');
    expect(markdown).toContain(`| \`${original.name}\` | ❌ pruning | ${pruning[0]?.table} | course_key |`);
    expect(markdown).toMatch(/```diff\n- .*PrimaryKey\([^)]*course_key/);
    expect(markdown).toContain('```mermaid\nxychart-beta');
  }, 120_000);

  it('flags a dataset twice as large by rows read, not by time', async () => {
    const instanceAndOrg = { repeats: 1, warmup: 0, filters: filters.filter((f) => f.id === 'org') };
    const baseline = await measurePerf(ch, reports, first, params, { ...instanceAndOrg, now: steadyClock() });
    const bigFilters = await pickFilterCombinations(ch, doubled, params, ['org']);
    const current = await measurePerf(ch, reports, doubled, params, {
      ...instanceAndOrg,
      filters: bigFilters,
      now: steadyClock(),
    });
    const verdict = comparePerf(baseline, current, { threshold: 0.5, minDiffMs: 5 });
    expect(verdict.queries.filter((q) => q.status === 'slower')).toEqual([]);
    const byRows = verdict.queries.filter((q) => q.findings.some((f) => f.guard === 'rows'));
    expect(byRows.length).toBeGreaterThan(reports.length / 2);
    const example = byRows[0]?.findings.find((f) => f.guard === 'rows');
    expect(example?.message).toMatch(/^estimated rows [\d,]+ → [\d,]+ \(\+\d+ % > \+10 %\)/);
    expect(example?.current).toBeGreaterThan((example?.baseline ?? 0) * 1.1);
    // Instance-wide reports read about twice the rows.
    const grewMost = Math.max(...byRows.flatMap((q) => (q.rows ? [q.rows.current / q.rows.baseline] : [])));
    expect(grewMost).toBeGreaterThan(1.8);
    for (const q of byRows) expect(verdict.regressions).toContain(q.name);
    // The same dataset against itself: nothing.
    const again = await measurePerf(ch, reports, second, params, { ...instanceAndOrg, now: steadyClock() });
    expect(comparePerf(baseline, again, { threshold: 0.5, minDiffMs: 5 }).regressions).toEqual([]);
  }, 120_000);

  it('leaves the server-only fields absent (not zero) on the embedded engine, and the summary says why', async () => {
    const sql = `SELECT count() AS n FROM ${first.xapiDb}.problem_events WHERE course_key = {course:String}`;
    const profile = await profileQuery(ch, sql, { course: params.courseKey }, { names: first });
    expect('queryLog' in profile).toBe(false);
    expect(profile.queryLogAbsent).toBe(EMBEDDED_QUERY_LOG_NOTE);
    expect(profile.reads).toHaveLength(1);
    expect(profile.reads[0]).toMatchObject({ table: 'xapi.problem_events', prunedBy: ['course_key'] });
    expect(profile.reads[0]?.sortedBy).toEqual(['org', 'course_key']);
    expect(profile.estimatedRows).toBeGreaterThan(0);

    const r07 = reports.filter((r) => r.scope === 'course').slice(0, 1);
    const run = await measurePerf(ch, r07, first, params, { repeats: 1, warmup: 0 });
    const entry = Object.values(run.queries)[0];
    expect(entry?.queryLog).toBeNull();
    expect(entry?.plan && 'queryLog' in entry.plan).toBe(false);
    expect(JSON.stringify(run)).not.toMatch(/readRows|readBytes|memoryBytes/);
    const md = renderSummary({
      datasetHash: null,
      counts: null,
      target: ch.description,
      params,
      reports: [],
      comparison: null,
      comparisonNote: null,
      perf: run,
      perfVerdict: comparePerf(null, run, DEFAULT_THRESHOLDS),
    });
    expect(md).toContain(`> ${EMBEDDED_QUERY_LOG_NOTE}`);
    expect(EMBEDDED_QUERY_LOG_NOTE).toMatch(
      /no system\.query_log, so rows\/bytes read and peak memory are absent \(not zero\)/,
    );
    // No column of server-only numbers: neither zeros nor dashes for fields the engine cannot have.
    expect(md).not.toContain('| rows read | bytes read | memory |');
    expect(md).toContain('| entry | granules | parts | estimated rows | pruned by | plan |');
  });
});

const DEFAULT_THRESHOLDS = { threshold: 0.5, minDiffMs: 5 };

if (!chdb25Installed) console.warn(`skipped: ${chdb25SkipReason}`);

describe.skipIf(!chdb25Installed)('plan profiles on ClickHouse 25.8 (chdb 3.7.2 wheel)', () => {
  it('parses the 25.8 JSON plan like the npm engine’s: same tables, pruning keys, normalized index types', async () => {
    const names = DEFAULT_SCHEMA_NAMES;
    const session = await mkdtemp(join(tmpdir(), 'xapi-db-load-profile-258-'));
    dirs.push(session);
    const inserts: Step[] = renderCsvLoadStatements(
      { kind: 'local', directory: dirs[0] as string, from: 'dataset directory' },
      names,
      { credentials: null, cluster: null, chronological: true },
    ).map((s) => ({ sql: s.query, params: s.params }));
    const course = reports.filter((r) => r.scope === 'course');
    const explain: Step[] = course.map((report) => {
      const sql = renderReportSql(report, names);
      return {
        sql: `EXPLAIN json = 1, indexes = 1 ${sql}`,
        params: boundReportParams(sql, params) as Record<string, string>,
        fetch: true,
      };
    });
    const steps: Step[] = [
      { sql: 'SELECT 1', settings: BASE_SETTINGS },
      ...renderSchema(names).map((s) => ({ sql: s.sql })),
      ...inserts.slice(0, -1),
      ...reloadDictionaryStatements(names).map((sql) => ({ sql })),
      ...inserts.slice(-1),
      ...optimizeStatements(names).map((sql) => ({ sql })),
      ...explain,
    ];
    const { engine, results } = await runOn258(session, steps);
    expect(engine).toMatch(/^25\.8\./);
    const failed = results.find((r) => !r.ok);
    expect(failed).toBeUndefined();
    const plans = results.slice(-explain.length);
    for (const [i, report] of course.entries()) {
      const answer = plans[i];
      const text = answer?.ok ? String(answer.data?.data[0]?.[0]) : '';
      const reads25 = parsePlanReads(text);
      const sql = renderReportSql(report, first);
      const profile26 = await profileQuery(ch, sql, boundReportParams(sql, params), { names: first });
      // Same tables read, in the same order; types spelled one way (25.8 `MinMax`, 26.x `Min-Max`).
      expect(
        reads25.map((r) => r.table),
        report.name,
      ).toEqual(profile26.reads.map((r) => r.table));
      for (const read of reads25) {
        for (const index of read.indexes) expect(index.type).toMatch(/^(MinMax|Partition|PrimaryKey|Skip)$/);
      }
      const usesCourse25 = reads25.some((r) => r.indexes.some((x) => x.used && x.keys.includes('course_key')));
      const usesCourse26 = profile26.reads.some((r) => r.prunedBy.includes('course_key'));
      expect(usesCourse25, report.name).toBe(usesCourse26);
    }
  }, 300_000);
});
