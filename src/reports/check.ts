/**
 * The report check end to end, shared by `xapi-db-load report` and the GitHub Action: run the
 * suite, write the snapshot, compare it with the baseline, optionally time the suite against a
 * perf baseline, render the job summary. Regressions are returned, not thrown;
 * {@link assertNoRegression} turns them into the exit-code-1 errors.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { resolveAspectsVersion } from '../clickhouse/aspects-version.ts';
import type { ClickHouse } from '../clickhouse/connect.ts';
import type { SchemaNames } from '../clickhouse/schema.ts';
import { PerfRegressionError, ReportMismatchError } from '../errors.ts';
import { type ReportDefinition, reportsForVersion } from './catalog.ts';
import { FILTER_IDS, type FilterId, pickFilterCombinations } from './filters.ts';
import {
  comparePerf,
  DEFAULT_PERF_THRESHOLDS,
  measurePerf,
  type PerfRun,
  type PerfThresholds,
  type PerfVerdict,
  readPerf,
  writePerf,
} from './perf.ts';
import { pickCourse, type ReportParams, type ReportResult, runReport } from './run.ts';
import {
  buildSnapshot,
  compareSnapshots,
  formatComparison,
  readSnapshot,
  type Snapshot,
  type SnapshotComparison,
  writeSnapshot,
} from './snapshot.ts';
import { renderSummary } from './summary.ts';

export interface PerfCheckOptions {
  /** @default 5 */
  readonly repeats?: number;
  /** @default 1 */
  readonly warmup?: number;
  /** Perf baseline file; compared when it exists. `{aspects_version}` as in the snapshot baseline. */
  readonly baselinePath?: string | null;
  readonly thresholds?: PerfThresholds;
  /**
   * Filter combinations course-scoped reports run under (each its own entry and profile).
   * @default ['course', 'median-course', 'org']
   */
  readonly filters?: readonly FilterId[];
}

export interface ReportCheckOptions {
  readonly reports: readonly ReportDefinition[];
  readonly names: SchemaNames;
  /** The pinned reference time (see `referenceTimeFromConfig`). */
  readonly now: string;
  /** Course and org of course-scoped reports; picked from the data when absent. */
  readonly org?: string | null;
  readonly courseKey?: string | null;
  readonly datasetHash?: string | null;
  readonly counts?: Readonly<Record<string, number>> | null;
  /**
   * Snapshot baseline to compare with (and to rewrite with `updateBaseline`); `{aspects_version}`
   * in it stands for the release of {@link names} (see {@link baselinePathForVersion}).
   */
  readonly baselinePath?: string | null;
  /** Rewrite the baselines (snapshot and perf) instead of failing on differences. @default false */
  readonly updateBaseline?: boolean;
  /** Where the current snapshot goes. */
  readonly snapshotPath?: string | null;
  /** Markdown job summary file. */
  readonly summaryPath?: string | null;
  /**
   * Only some reports run (a filter): the baseline's other reports are neither compared nor
   * reported missing, and `updateBaseline` merges into the baseline instead of replacing it.
   * @default false
   */
  readonly partial?: boolean;
  /** Run the perf check. */
  readonly perf?: PerfCheckOptions | null;
  readonly log?: (line: string) => void;
}

export type CheckStatus = 'pass' | 'regression' | 'updated' | 'no-baseline';

export interface ReportCheckResult {
  readonly status: CheckStatus;
  readonly params: ReportParams;
  readonly snapshot: Snapshot;
  readonly comparison: SnapshotComparison | null;
  readonly perf: PerfRun | null;
  readonly perfVerdict: PerfVerdict | null;
  /** Reports that differ from the baseline. */
  readonly reportRegressions: readonly string[];
  /** Perf entries that failed a plan guard or got slower than the perf baseline allows. */
  readonly perfRegressions: readonly string[];
  readonly markdown: string;
  /** Terminal text: comparison and perf alerts. */
  readonly text: string;
}

/**
 * Runs the check.
 *
 * @example
 * const result = await runReportCheck(ch, { reports: await loadReports(), names, now, baselinePath: 'baseline.json' });
 * assertNoRegression(result);
 */
export async function runReportCheck(ch: ClickHouse, options: ReportCheckOptions): Promise<ReportCheckResult> {
  const log = options.log ?? (() => {});
  const picked =
    options.org && options.courseKey
      ? { org: options.org, courseKey: options.courseKey }
      : await pickCourse(ch, options.names);
  const params: ReportParams = {
    org: options.org ?? picked.org,
    courseKey: options.courseKey ?? picked.courseKey,
    now: options.now,
  };
  // A report reading a model this release lacks is left out, as if filtered away.
  const { runnable: reports, skipped } = reportsForVersion(options.reports, options.names.aspectsVersion);
  for (const { report, reason } of skipped) log(`Skipping ${report.name}: ${reason}`);
  log(`Running ${reports.length} report(s) for ${params.courseKey} (${params.org}) at ${params.now} UTC`);
  const results: { report: ReportDefinition; result: ReportResult }[] = [];
  for (const report of reports) {
    const { result } = await runReport(ch, report, options.names, params);
    results.push({ report, result });
  }
  const snapshot = buildSnapshot(results, params, options.datasetHash ?? null, options.names.aspectsVersion);
  if (options.snapshotPath) await writeSnapshot(options.snapshotPath, snapshot);

  let comparison: SnapshotComparison | null = null;
  let comparisonNote: string | null = null;
  let status: CheckStatus = 'pass';
  const version = resolveAspectsVersion(options.names.aspectsVersion);
  const baselinePath = options.baselinePath ? baselinePathForVersion(options.baselinePath, version) : null;
  if (baselinePath) {
    const baseline = await readSnapshot(baselinePath);
    if (baseline) {
      const compared = options.partial
        ? {
            ...baseline,
            reports: Object.fromEntries(Object.entries(baseline.reports).filter(([name]) => name in snapshot.reports)),
          }
        : baseline;
      comparison = compareSnapshots(compared, snapshot);
    }
    if (options.updateBaseline) {
      const merged =
        options.partial && baseline
          ? { ...snapshot, reports: sortedReports({ ...baseline.reports, ...snapshot.reports }) }
          : snapshot;
      await writeSnapshot(baselinePath, merged);
      comparisonNote = `Baseline ${baselinePath} ${baseline ? 'updated' : 'recorded'} (--update-baseline).`;
      status = 'updated';
    } else if (!baseline) {
      comparisonNote = `No baseline at ${baselinePath}: nothing to compare; record one with --update-baseline.`;
      status = 'no-baseline';
    }
  } else {
    comparisonNote = 'No baseline given: snapshot only.';
    status = 'no-baseline';
  }

  let perf: PerfRun | null = null;
  let perfVerdict: PerfVerdict | null = null;
  if (options.perf) {
    const filterIds = options.perf.filters ?? FILTER_IDS;
    const filters =
      filterIds.length > 0 && reports.some((r) => r.scope !== 'instance')
        ? await pickFilterCombinations(ch, options.names, params, filterIds)
        : null;
    log(
      `Profiling and timing ${reports.length} report(s) × ${options.perf.repeats ?? 5} run(s)` +
        (filters ? `; course-scoped ones for ${filters.map((f) => f.label).join(', ')}` : ''),
    );
    perf = await measurePerf(ch, reports, options.names, params, {
      ...(options.perf.repeats === undefined ? {} : { repeats: options.perf.repeats }),
      ...(options.perf.warmup === undefined ? {} : { warmup: options.perf.warmup }),
      filters,
    });
    const perfBaselinePath = options.perf.baselinePath
      ? baselinePathForVersion(options.perf.baselinePath, version)
      : null;
    const perfBaseline = perfBaselinePath ? await readPerf(perfBaselinePath) : null;
    perfVerdict = comparePerf(perfBaseline, perf, options.perf.thresholds ?? DEFAULT_PERF_THRESHOLDS);
    if (perfBaselinePath && (options.updateBaseline || perfBaseline === null)) {
      // A perf baseline is machine-specific: recording the first one is always safe.
      await writePerf(perfBaselinePath, perf);
    }
  }

  const reportRegressions = options.updateBaseline ? [] : (comparison?.regressions ?? []);
  const perfRegressions = options.updateBaseline ? [] : (perfVerdict?.regressions ?? []);
  if (reportRegressions.length > 0 || perfRegressions.length > 0) status = 'regression';

  const markdown = renderSummary({
    datasetHash: options.datasetHash ?? null,
    counts: options.counts ?? null,
    target: ch.description,
    params,
    reports: results.map(({ report, result }) => ({
      name: report.name,
      title: report.title,
      rows: result.rows.length,
    })),
    comparison,
    comparisonNote,
    perf,
    perfVerdict,
    skipped: skipped.map(({ report, reason }) => ({ name: report.name, reason })),
  });
  if (options.summaryPath) {
    await mkdir(dirname(options.summaryPath), { recursive: true });
    await writeFile(options.summaryPath, markdown);
  }
  const textParts: string[] = [];
  if (comparisonNote) textParts.push(comparisonNote);
  if (comparison) textParts.push(formatComparison(comparison));
  if (perf?.queryLogNote) textParts.push(`perf: ${perf.queryLogNote}`);
  if (perfVerdict) {
    if (perfVerdict.note) textParts.push(`perf note: ${perfVerdict.note}`);
    if (perfVerdict.planNote) textParts.push(`perf note: ${perfVerdict.planNote}`);
    for (const q of perfVerdict.queries) {
      textParts.push(
        `perf ${q.name}: median ${q.currentMedianMs.toFixed(2)} ms, p95 ${q.currentP95Ms.toFixed(2)} ms` +
          (q.baselineMedianMs === null ? '' : `, baseline ${q.baselineMedianMs.toFixed(2)} ms (${q.status})`),
      );
    }
    for (const q of perfVerdict.queries) if (q.alert) textParts.push(`SLOWER ${q.alert}`);
    for (const q of perfVerdict.queries) {
      for (const f of q.findings) textParts.push(`PLAN ${q.name}: ${f.guard}: ${f.message}`);
    }
  }
  return {
    status,
    params,
    snapshot,
    comparison,
    perf,
    perfVerdict,
    reportRegressions,
    perfRegressions,
    markdown,
    text: textParts.join('\n'),
  };
}

function sortedReports(reports: Snapshot['reports']): Snapshot['reports'] {
  return Object.fromEntries(Object.entries(reports).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A baseline path for one release: `{aspects_version}` becomes the release (e.g. `8.0.0`), so
 * `fixtures/report-baselines/tiny-v{aspects_version}.json` names each release's own baseline.
 *
 * @example
 * baselinePathForVersion('tiny-v{aspects_version}.json', '7.0.0'); // 'tiny-v7.0.0.json'
 */
export function baselinePathForVersion(path: string, version: string): string {
  return path.replaceAll('{aspects_version}', version);
}

/** Throws {@link ReportMismatchError} (reports changed) or {@link PerfRegressionError} (plan guard or slower). */
export function assertNoRegression(result: ReportCheckResult): void {
  if (result.reportRegressions.length > 0) {
    throw new ReportMismatchError(
      `Report(s) differ from the baseline: ${result.reportRegressions.join(', ')}\n${result.comparison ? formatComparison(result.comparison) : ''}`,
    );
  }
  if (result.perfRegressions.length > 0) {
    const queries = result.perfVerdict?.queries ?? [];
    const alerts = [
      ...queries.flatMap((q) => q.findings.map((f) => `  ${q.name}: ${f.guard}: ${f.message}`)),
      ...queries.filter((q) => q.alert).map((q) => `  ${q.alert}`),
    ];
    throw new PerfRegressionError(
      `Report(s) costlier than the perf baseline: ${result.perfRegressions.join(', ')}\n${alerts.join('\n')}`,
    );
  }
}
