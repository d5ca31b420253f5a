/**
 * `xapi-db-load report`: load the config's dataset (when the target needs it), run the report
 * suite, write the snapshot, compare with the baseline, optionally time the suite, write the
 * Markdown summary. Exit 1 on a regression (ReportMismatchError / PerfRegressionError).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouse, createClickHouse, targetFromConfig } from '../clickhouse/connect.ts';
import { countRows } from '../clickhouse/counts.ts';
import { aspectsDbtTag, schemaNamesFromConfig } from '../clickhouse/schema.ts';
import { datasetHash } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { ConfigError } from '../errors.ts';
import { loadReports, renderReportSql, reportsForVersion } from './catalog.ts';
import { assertNoRegression, type ReportCheckResult, runReportCheck } from './check.ts';
import { generateDatasetDir, loadDatasetDir } from './load-dataset.ts';
import { DEFAULT_PERF_THRESHOLDS, readPerf } from './perf.ts';
import { referenceTimeFromConfig } from './run.ts';
import { readSnapshot } from './snapshot.ts';

/** Options of the command, as commander parses them. */
export interface ReportCommandOptions {
  readonly baseline?: string;
  readonly updateBaseline?: boolean;
  readonly snapshot?: string;
  readonly summary?: string;
  readonly reportsDir?: readonly string[];
  readonly only?: string;
  readonly org?: string;
  readonly course?: string;
  readonly now?: string;
  readonly load?: 'auto' | 'always' | 'never';
  readonly datasetDir?: string;
  readonly perf?: boolean;
  readonly perfBaseline?: string;
  readonly perfRepeats?: string;
  readonly perfWarmup?: string;
  readonly perfThreshold?: string;
  readonly perfMinDiffMs?: string;
}

/** Validated numbers of the perf options; every problem reported at once. */
function perfNumbers(options: ReportCommandOptions): {
  repeats: number;
  warmup: number;
  threshold: number;
  minDiffMs: number;
} {
  const problems: { key: string; message: string }[] = [];
  const read = (flag: string, raw: string | undefined, fallback: number, integer: boolean, min: number): number => {
    if (raw === undefined) return fallback;
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(raw);
    const n = percent && flag === '--perf-threshold' ? Number(percent[1]) / 100 : Number(raw);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      problems.push({
        key: flag,
        message: `${flag}: got ${JSON.stringify(raw)}; expected ${integer ? 'an integer' : 'a number'} >= ${min}`,
      });
      return fallback;
    }
    return n;
  };
  const result = {
    repeats: read('--perf-repeats', options.perfRepeats, 5, true, 1),
    warmup: read('--perf-warmup', options.perfWarmup, 1, true, 0),
    threshold: read('--perf-threshold', options.perfThreshold, DEFAULT_PERF_THRESHOLDS.threshold, false, 0),
    minDiffMs: read('--perf-min-diff-ms', options.perfMinDiffMs, DEFAULT_PERF_THRESHOLDS.minDiffMs, false, 0),
  };
  if (options.now !== undefined && !/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(options.now)) {
    problems.push({
      key: '--now',
      message: `--now: got ${JSON.stringify(options.now)}; expected YYYY-MM-DD or "YYYY-MM-DD hh:mm:ss" (UTC)`,
    });
  }
  if ((options.org === undefined) !== (options.course === undefined)) {
    problems.push({ key: '--course', message: '--org and --course: got one of them; expected both or neither' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}

/**
 * The report queries as a SQL script: exactly the statements `report` runs, in order, each ended
 * by `;` after a comment naming the report and its dashboard. Values stay bound parameters
 * (`{now:DateTime('UTC')}`, `{org:String}`, `{course_key:String}`); the header says what they
 * are bound to. Nothing is connected to or loaded.
 */
export async function reportScript(config: Config, options: ReportCommandOptions): Promise<string> {
  perfNumbers(options); // the same option checks as a run
  const only = (options.only ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const names = schemaNamesFromConfig(config);
  const { runnable: reports, skipped } = reportsForVersion(
    await loadReports({ dirs: options.reportsDir ?? [], only }),
    names.aspectsVersion,
  );
  const course =
    options.org !== undefined && options.course !== undefined
      ? `org = ${options.org}, course_key = ${options.course}`
      : 'org, course_key = the course with the most statements, picked when the reports run';
  const header = [
    `-- Aspects reports as xapi-db-load report runs them: ${reports.length} statements with bound parameters:`,
    `--   now = ${referenceTime(config, options)} (UTC)`,
    `--   ${course}`,
    ...skipped.map(
      ({ report, missing }) =>
        `-- left out: ${report.name} (aspects-dbt ${aspectsDbtTag(names.aspectsVersion)} has no ${missing.join(', ')})`,
    ),
  ];
  const body = reports.map((report) => {
    const about = report.dashboard ? `${report.title} (${report.dashboard})` : report.title;
    return `-- ${report.name}: ${about}\n${renderReportSql(report, names).trim().replace(/;$/, '')};\n`;
  });
  return `${header.join('\n')}\n\n${body.join('\n')}`;
}

/** `--now` (a date or `YYYY-MM-DD hh:mm:ss`), else the config's reference time. */
function referenceTime(config: Config, options: ReportCommandOptions): string {
  if (!options.now) return referenceTimeFromConfig(config);
  return options.now.length === 10 ? `${options.now} 00:00:00` : options.now;
}

/**
 * Runs the command; throws on a regression.
 *
 * @example
 * await reportCommand(config, { baseline: 'fixtures/report-baseline.json' }, (line) => console.error(line));
 */
export async function reportCommand(
  config: Config,
  options: ReportCommandOptions,
  log: (line: string) => void,
): Promise<ReportCheckResult> {
  const numbers = perfNumbers(options);
  const only = (options.only ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const reports = await loadReports({ dirs: options.reportsDir ?? [], only });
  // A corrupt or wrong-shape baseline is a usage error: found before anything is generated or
  // loaded, not after minutes of work (issue #12, D11).
  if (options.baseline) await readSnapshot(options.baseline);
  if (options.perf && options.perfBaseline) await readPerf(options.perfBaseline);
  const target = targetFromConfig(config);
  const names = schemaNamesFromConfig(config, config.dbReportingName);
  // A fresh in-process engine or container is empty: it needs the dataset. A server or an
  // on-disk embedded directory normally holds what `load-db` put there.
  const load =
    options.load === 'always' ||
    (options.load !== 'never' &&
      ((target.kind === 'embedded' && target.path === undefined) || target.kind === 'container'));
  let ch: ClickHouse | undefined;
  let scratch: string | undefined;
  try {
    ch = await createClickHouse(target);
    let counts: Readonly<Record<string, number>>;
    if (load) {
      let dir = options.datasetDir;
      if (dir === undefined) {
        scratch = await mkdtemp(join(tmpdir(), 'xapi-db-load-report-'));
        dir = scratch;
        log(`Generating the dataset into ${dir}`);
        await generateDatasetDir(config, dir, { log });
      }
      log(`Loading ${dir} into ${ch.description}`);
      counts = await loadDatasetDir(ch, dir, config, { names, log });
    } else {
      counts = await countRows(ch, names);
    }
    const result = await runReportCheck(ch, {
      reports,
      names,
      now: referenceTime(config, options),
      org: options.org ?? null,
      courseKey: options.course ?? null,
      datasetHash: datasetHash(config).short,
      counts,
      baselinePath: options.baseline ?? null,
      updateBaseline: options.updateBaseline ?? false,
      partial: only.length > 0,
      snapshotPath: options.snapshot ?? 'report-snapshot.json',
      summaryPath: options.summary ?? null,
      perf: options.perf
        ? {
            repeats: numbers.repeats,
            warmup: numbers.warmup,
            baselinePath: options.perfBaseline ?? null,
            thresholds: { threshold: numbers.threshold, minDiffMs: numbers.minDiffMs },
          }
        : null,
      log,
    });
    if (result.text !== '') log(result.text);
    assertNoRegression(result);
    return result;
  } finally {
    await ch?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
