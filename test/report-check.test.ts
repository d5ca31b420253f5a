/**
 * The report suite on the embedded engine: a baseline recorded from a small default-like dataset
 * matches a second, independent load; deleted rows are reported as a regression naming the
 * report; perf baselines fail on an impossible threshold and pass on a loose one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { dropSchema, type SchemaNames } from '../src/clickhouse/schema.ts';
import type { Config } from '../src/config/types.ts';
import { PerfRegressionError, ReportMismatchError } from '../src/errors.ts';
import { BUILTIN_REPORT_FILES, loadReports, type ReportDefinition, reportsForVersion } from '../src/reports/catalog.ts';
import { assertNoRegression, runReportCheck } from '../src/reports/check.ts';
import { loadDatasetDir } from '../src/reports/load-dataset.ts';
import { comparePerf, measurePerf, type PerfRun } from '../src/reports/perf.ts';
import { referenceTimeFromConfig } from '../src/reports/run.ts';
import { readSnapshot } from '../src/reports/snapshot.ts';
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

let ch: ClickHouse;
let config: Config;
let datasetDir: string;
let outDir: string;
let reports: ReportDefinition[];
const first = uniqueNames();
const second = uniqueNames();

beforeAll(async () => {
  config = await smallDefaultConfig();
  datasetDir = await generateTempDataset(config);
  outDir = await mkdtemp(join(tmpdir(), 'xapi-db-load-report-out-'));
  ch = await createClickHouse({ kind: 'embedded' });
  reports = await loadReports();
  await loadDatasetDir(ch, datasetDir, config, { names: first });
  await loadDatasetDir(ch, datasetDir, config, { names: second });
});

afterAll(async () => {
  if (ch) {
    await dropSchema(ch, first);
    await dropSchema(ch, second);
    await ch.close();
  }
  await rm(datasetDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

describe('report snapshot baseline', () => {
  it('runs every built-in report (R1–R12) and pins the reference time to the config', async () => {
    expect(reports.map((r) => `${r.name}.sql`)).toEqual([...BUILTIN_REPORT_FILES]);
    expect(referenceTimeFromConfig(config)).toBe('2023-11-28 00:00:00');
  });

  it('records a baseline that a second, independent load of the same dataset matches', async () => {
    const baselinePath = join(outDir, 'baseline.json');
    const recorded = await runReportCheck(ch, {
      reports,
      names: first,
      now: referenceTimeFromConfig(config),
      baselinePath,
      updateBaseline: true,
      datasetHash: 'test',
    });
    expect(recorded.status).toBe('updated');
    const baseline = await readSnapshot(baselinePath);
    // Every report the default release (v8.0.0) has the models of: all but r16b.
    const { runnable, skipped } = reportsForVersion(reports, first.aspectsVersion);
    expect(skipped.map((s) => s.report.name)).toEqual(['r16b-graded-subsection-performance']);
    expect(Object.keys(baseline?.reports ?? {})).toHaveLength(runnable.length);
    // Most reports must have rows, or the check proves little. These 600 statements hold no
    // watched video segment and no forum post, so the two video reports and the forum one are empty.
    const empty = Object.entries(baseline?.reports ?? {}).filter(([, r]) => r.rows.length === 0);
    expect(empty.map(([name]) => name)).toEqual([
      'r08a-video-views',
      'r12-forum-activity',
      'r13c-video-engagement-levels',
    ]);

    const rerun = await runReportCheck(ch, {
      reports,
      names: second,
      now: referenceTimeFromConfig(config),
      baselinePath,
      datasetHash: 'test',
    });
    expect(rerun.comparison?.regressions).toEqual([]);
    expect(rerun.status).toBe('pass');
    expect(() => assertNoRegression(rerun)).not.toThrow();
  });

  it('reports deleted rows as a regression naming the report, with the first differing rows', async () => {
    const baselinePath = join(outDir, 'baseline-delete.json');
    const now = referenceTimeFromConfig(config);
    const recorded = await runReportCheck(ch, { reports, names: second, now, baselinePath, updateBaseline: true });
    const courseKey = recorded.params.courseKey;
    await ch.client.command({
      query: `ALTER TABLE ${second.xapiDb}.problem_events DELETE WHERE course_key = {course:String}`,
      query_params: { course: courseKey },
      clickhouse_settings: { mutations_sync: '2' },
    });
    const summaryPath = join(outDir, 'summary.md');
    const result = await runReportCheck(ch, {
      reports,
      names: second,
      now,
      baselinePath,
      org: recorded.params.org,
      courseKey,
      summaryPath,
    });
    expect(result.status).toBe('regression');
    expect(result.reportRegressions).toContain('r07-problem-evaluations');
    const r07 = result.comparison?.reports.find((r) => r.name === 'r07-problem-evaluations');
    expect(r07?.currentRows).toBe(0);
    expect(r07?.diffs[0]?.changes).toEqual(['row missing']);
    expect(r07?.diffs[0]?.where).toMatch(/^problem_id=block-v1:/);
    expect(() => assertNoRegression(result)).toThrow(ReportMismatchError);
    expect(() => assertNoRegression(result)).toThrow(/r07-problem-evaluations/);
    const markdown = await readFile(summaryPath, 'utf8');
    expect(markdown).toContain('❌ regression');
    expect(markdown).toContain('| `r07-problem-evaluations` Problem evaluations');
    expect(markdown).toContain('```diff');
  });
});

describe('report perf check', () => {
  const perfReports = () => reports.filter((r) => r.name.startsWith('r01') || r.name.startsWith('r11c'));

  it('says the embedded engine reports wall-clock only, and fails an impossible threshold but passes a loose one', async () => {
    const now = referenceTimeFromConfig(config);
    const params = { org: 'Org0', courseKey: 'none', now };
    const run = await measurePerf(ch, perfReports(), first, params, { repeats: 3, warmup: 1 });
    expect(run.queryLogNote).toMatch(/wall-clock timings only/);
    expect(Object.keys(run.queries)).toEqual(['r01-enrollments-per-day', 'r11c-courses-per-org']);
    for (const q of Object.values(run.queries)) {
      expect(q.samplesMs).toHaveLength(3);
      expect(q.p95Ms).toBeGreaterThanOrEqual(q.medianMs);
    }
    // A baseline 1000× faster than anything the machine can do.
    const impossible: PerfRun = {
      ...run,
      queries: Object.fromEntries(
        Object.entries(run.queries).map(([k, q]) => [k, { ...q, medianMs: q.medianMs / 1000 }]),
      ),
    };
    const strict = comparePerf(impossible, run, { threshold: 0.1, minDiffMs: 0 });
    expect(strict.regressions).toEqual(['r01-enrollments-per-day', 'r11c-courses-per-org']);
    expect(strict.queries[0]?.alert).toMatch(/baseline .* ms, ratio .*x > threshold 1\.10x/);
    const loose = comparePerf(impossible, run, { threshold: 10_000, minDiffMs: 60_000 });
    expect(loose.regressions).toEqual([]);
  });

  it('fails the check (PerfRegressionError) against an impossible perf baseline file', async () => {
    const perfBaselinePath = join(outDir, 'perf.json');
    const now = referenceTimeFromConfig(config);
    const base = { reports: perfReports(), names: first, now, org: 'Org0', courseKey: 'none' };
    const recorded = await runReportCheck(ch, { ...base, perf: { repeats: 2, baselinePath: perfBaselinePath } });
    expect(recorded.perfRegressions).toEqual([]);
    const stored = JSON.parse(await readFile(perfBaselinePath, 'utf8')) as PerfRun;
    for (const q of Object.values(stored.queries)) (q as { medianMs: number }).medianMs = 0.0001;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(perfBaselinePath, JSON.stringify(stored));
    const strict = await runReportCheck(ch, {
      ...base,
      perf: { repeats: 2, baselinePath: perfBaselinePath, thresholds: { threshold: 0, minDiffMs: 0 } },
    });
    expect(strict.status).toBe('regression');
    expect(() => assertNoRegression(strict)).toThrow(PerfRegressionError);
    const loose = await runReportCheck(ch, {
      ...base,
      perf: { repeats: 2, baselinePath: perfBaselinePath, thresholds: { threshold: 1e6, minDiffMs: 1e6 } },
    });
    expect(loose.perfRegressions).toEqual([]);
  });
});
