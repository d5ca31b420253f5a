/**
 * The report check end to end, shared by `xapi-db-load report` and the GitHub Action: run the
 * suite, write the snapshot, compare it with the baseline, optionally time the suite against a
 * perf baseline, render the job summary. Regressions are returned, not thrown;
 * {@link assertNoRegression} turns them into the exit-code-1 errors.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { aspectsDbtTag, type SchemaNames } from '../clickhouse/schema.ts';
import { PerfRegressionError, ReportMismatchError } from '../errors.ts';
import { type ReportDefinition, reportsForVersion } from './catalog.ts';
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
  /** Perf baseline file; compared when it exists. */
  readonly baselinePath?: string | null;
  readonly thresholds?: PerfThresholds;
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
  /** Snapshot baseline to compare with (and to rewrite with `updateBaseline`). */
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
  /** Reports slower than the perf baseline allows. */
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
  for (const { report, missing } of skipped) {
    log(
      `Skipping ${report.name}: aspects-dbt ${aspectsDbtTag(options.names.aspectsVersion)} has no ${missing.join(', ')}`,
    );
  }
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
  if (options.baselinePath) {
    const baseline = await readSnapshot(options.baselinePath);
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
      await writeSnapshot(options.baselinePath, merged);
      comparisonNote = `Baseline ${options.baselinePath} ${baseline ? 'updated' : 'recorded'} (--update-baseline).`;
      status = 'updated';
    } else if (!baseline) {
      comparisonNote = `No baseline at ${options.baselinePath}: nothing to compare; record one with --update-baseline.`;
      status = 'no-baseline';
    }
  } else {
    comparisonNote = 'No baseline given: snapshot only.';
    status = 'no-baseline';
  }

  let perf: PerfRun | null = null;
  let perfVerdict: PerfVerdict | null = null;
  if (options.perf) {
    log(`Timing ${reports.length} report(s) × ${options.perf.repeats ?? 5} run(s)`);
    perf = await measurePerf(ch, reports, options.names, params, {
      ...(options.perf.repeats === undefined ? {} : { repeats: options.perf.repeats }),
      ...(options.perf.warmup === undefined ? {} : { warmup: options.perf.warmup }),
    });
    const perfBaselinePath = options.perf.baselinePath ?? null;
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
    for (const q of perfVerdict.queries) {
      textParts.push(
        `perf ${q.name}: median ${q.currentMedianMs.toFixed(2)} ms, p95 ${q.currentP95Ms.toFixed(2)} ms` +
          (q.baselineMedianMs === null ? '' : `, baseline ${q.baselineMedianMs.toFixed(2)} ms (${q.status})`),
      );
    }
    for (const q of perfVerdict.queries) if (q.alert) textParts.push(`SLOWER ${q.alert}`);
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

/** Throws {@link ReportMismatchError} (reports changed) or {@link PerfRegressionError} (slower). */
export function assertNoRegression(result: ReportCheckResult): void {
  if (result.reportRegressions.length > 0) {
    throw new ReportMismatchError(
      `Report(s) differ from the baseline: ${result.reportRegressions.join(', ')}\n${result.comparison ? formatComparison(result.comparison) : ''}`,
    );
  }
  if (result.perfRegressions.length > 0) {
    const alerts = (result.perfVerdict?.queries ?? []).filter((q) => q.alert).map((q) => `  ${q.alert}`);
    throw new PerfRegressionError(
      `Report(s) slower than the perf baseline: ${result.perfRegressions.join(', ')}\n${alerts.join('\n')}`,
    );
  }
}
