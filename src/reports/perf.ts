/**
 * Performance check: every report repeated N times, interleaved (round 1 runs every report,
 * then round 2, …) after warm-up rounds, so a slow moment of the machine hits all reports
 * alike. Median and p95 per report are compared with a baseline: a report regresses only when
 * its median is BOTH more than `threshold` slower (relative) AND at least `minDiffMs` slower
 * (absolute), which keeps millisecond-scale queries from flapping.
 *
 * On a server (url, container) the check also reads `system.query_log` for each run (rows and
 * bytes read, memory). The embedded engine has no query log: it reports wall-clock only.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ClickHouse } from '../clickhouse/connect.ts';
import type { SchemaNames } from '../clickhouse/schema.ts';
import { ConfigError, describeError } from '../errors.ts';
import type { ReportDefinition } from './catalog.ts';
import { readJsonFile } from './json-file.ts';
import { type ReportParams, runReport } from './run.ts';

export const PERF_FORMAT = 1;

export interface PerfOptions {
  /** Timed rounds. @default 5 */
  readonly repeats?: number;
  /** Untimed rounds first (caches, dictionaries, JIT). @default 1 */
  readonly warmup?: number;
  /** Monotonic milliseconds. @default performance.now */
  readonly now?: () => number;
}

/** Server-side statistics of one report (medians over the timed runs). */
export interface QueryLogStats {
  readonly readRows: number;
  readonly readBytes: number;
  readonly memoryBytes: number;
  readonly durationMs: number;
}

export interface PerfMeasurement {
  readonly name: string;
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly p95Ms: number;
  /** `null` on the embedded engine (no `system.query_log`). */
  readonly queryLog: QueryLogStats | null;
}

export interface PerfRun {
  readonly format: typeof PERF_FORMAT;
  /** `embedded` | `url` | `container`. */
  readonly engine: string;
  readonly serverVersion: string;
  readonly repeats: number;
  readonly warmup: number;
  /** Why `queryLog` is absent, when it is. */
  readonly queryLogNote: string | null;
  readonly queries: Readonly<Record<string, PerfMeasurement>>;
}

export const EMBEDDED_QUERY_LOG_NOTE =
  'embedded engine (chdb): no system.query_log, so wall-clock timings only (no rows/bytes read, no memory)';

/**
 * Measures the suite.
 *
 * @example
 * const perf = await measurePerf(ch, reports, names, params, { repeats: 7, warmup: 1 });
 */
export async function measurePerf(
  ch: ClickHouse,
  reports: readonly ReportDefinition[],
  names: SchemaNames,
  params: ReportParams,
  options: PerfOptions = {},
): Promise<PerfRun> {
  const repeats = options.repeats ?? 5;
  const warmup = options.warmup ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new ConfigError([{ key: 'perf_repeats', message: `perf_repeats: got ${repeats}; expected an integer >= 1` }]);
  }
  if (!Number.isInteger(warmup) || warmup < 0) {
    throw new ConfigError([{ key: 'perf_warmup', message: `perf_warmup: got ${warmup}; expected an integer >= 0` }]);
  }
  const runOptions = options.now ? { now: options.now } : {};
  for (let round = 0; round < warmup; round++) {
    for (const report of reports) await runReport(ch, report, names, params, runOptions);
  }
  const samples = new Map<string, number[]>(reports.map((r) => [r.name, []]));
  const ids = new Map<string, string[]>(reports.map((r) => [r.name, []]));
  for (let round = 0; round < repeats; round++) {
    for (const report of reports) {
      const queryId = `xapi-db-load-${randomUUID()}`;
      const run = await runReport(ch, report, names, params, { ...runOptions, queryId });
      samples.get(report.name)?.push(run.elapsedMs);
      ids.get(report.name)?.push(queryId);
    }
  }
  const logStats = ch.kind === 'embedded' ? null : await readQueryLog(ch, ids);
  const queries: Record<string, PerfMeasurement> = {};
  for (const report of reports) {
    const s = samples.get(report.name) ?? [];
    queries[report.name] = {
      name: report.name,
      samplesMs: s.map(round3),
      medianMs: round3(quantile(s, 0.5)),
      p95Ms: round3(quantile(s, 0.95)),
      queryLog: logStats?.get(report.name) ?? null,
    };
  }
  return {
    format: PERF_FORMAT,
    engine: ch.kind,
    serverVersion: ch.serverVersion,
    repeats,
    warmup,
    queryLogNote:
      ch.kind === 'embedded'
        ? EMBEDDED_QUERY_LOG_NOTE
        : logStats === null
          ? 'system.query_log could not be read'
          : null,
    queries,
  };
}

/** Linear-interpolated quantile of the samples (0 for none). */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Medians of `system.query_log` per report; `null` when the log cannot be read. */
async function readQueryLog(ch: ClickHouse, ids: Map<string, string[]>): Promise<Map<string, QueryLogStats> | null> {
  const allIds = [...ids.values()].flat();
  try {
    await ch.client.command({ query: 'SYSTEM FLUSH LOGS' });
    const rs = await ch.client.query({
      query:
        'SELECT query_id, read_rows, read_bytes, memory_usage, query_duration_ms FROM system.query_log ' +
        "WHERE type = 'QueryFinish' AND query_id IN {ids:Array(String)}",
      query_params: { ids: allIds },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{
      query_id: string;
      read_rows: string | number;
      read_bytes: string | number;
      memory_usage: string | number;
      query_duration_ms: string | number;
    }>();
    const byId = new Map(rows.map((r) => [r.query_id, r]));
    const out = new Map<string, QueryLogStats>();
    for (const [name, list] of ids) {
      const found = list.map((id) => byId.get(id)).filter((r) => r !== undefined);
      if (found.length === 0) continue;
      out.set(name, {
        readRows: quantile(
          found.map((r) => Number(r.read_rows)),
          0.5,
        ),
        readBytes: quantile(
          found.map((r) => Number(r.read_bytes)),
          0.5,
        ),
        memoryBytes: quantile(
          found.map((r) => Number(r.memory_usage)),
          0.5,
        ),
        durationMs: quantile(
          found.map((r) => Number(r.query_duration_ms)),
          0.5,
        ),
      });
    }
    return out;
  } catch (error) {
    process.emitWarning(`system.query_log not readable on ${ch.description}: ${describeError(error)}`);
    return null;
  }
}

export interface PerfThresholds {
  /** Relative slowdown of the median that counts as a regression: 0.5 = 50 % slower. @default 0.5 */
  readonly threshold: number;
  /** …and the median must also be at least this many ms slower. @default 5 */
  readonly minDiffMs: number;
}

export const DEFAULT_PERF_THRESHOLDS: PerfThresholds = Object.freeze({ threshold: 0.5, minDiffMs: 5 });

export type PerfStatus = 'ok' | 'slower' | 'faster' | 'new';

export interface PerfComparison {
  readonly name: string;
  readonly status: PerfStatus;
  readonly baselineMedianMs: number | null;
  readonly currentMedianMs: number;
  readonly currentP95Ms: number;
  /** current / baseline median. */
  readonly ratio: number | null;
  /** Alert line (previous, current, ratio, threshold) for slower reports. */
  readonly alert: string | null;
}

export interface PerfVerdict {
  readonly queries: readonly PerfComparison[];
  readonly regressions: readonly string[];
  readonly thresholds: PerfThresholds;
  /** Set when the baseline was timed on another engine or ClickHouse version. */
  readonly note: string | null;
}

/** Compares a run with a baseline run (or with nothing: every query is `new`). */
export function comparePerf(baseline: PerfRun | null, current: PerfRun, thresholds: PerfThresholds): PerfVerdict {
  const queries: PerfComparison[] = Object.values(current.queries).map((q) => {
    const base = baseline?.queries[q.name];
    if (!base) {
      return {
        name: q.name,
        status: 'new',
        baselineMedianMs: null,
        currentMedianMs: q.medianMs,
        currentP95Ms: q.p95Ms,
        ratio: null,
        alert: null,
      };
    }
    const ratio = base.medianMs > 0 ? q.medianMs / base.medianMs : q.medianMs > 0 ? Number.POSITIVE_INFINITY : 1;
    const diff = q.medianMs - base.medianMs;
    const slower = ratio > 1 + thresholds.threshold && diff >= thresholds.minDiffMs;
    const faster = ratio < 1 / (1 + thresholds.threshold) && -diff >= thresholds.minDiffMs;
    return {
      name: q.name,
      status: slower ? 'slower' : faster ? 'faster' : 'ok',
      baselineMedianMs: base.medianMs,
      currentMedianMs: q.medianMs,
      currentP95Ms: q.p95Ms,
      ratio,
      alert: slower
        ? `${q.name}: median ${q.medianMs.toFixed(1)} ms, baseline ${base.medianMs.toFixed(1)} ms, ` +
          `ratio ${ratio.toFixed(2)}x > threshold ${(1 + thresholds.threshold).toFixed(2)}x (and +${diff.toFixed(1)} ms >= ${thresholds.minDiffMs} ms)`
        : null,
    };
  });
  const note =
    baseline && (baseline.engine !== current.engine || baseline.serverVersion !== current.serverVersion)
      ? `the perf baseline was timed on ${baseline.engine} ClickHouse ${baseline.serverVersion}, ` +
        `this run on ${current.engine} ClickHouse ${current.serverVersion}`
      : null;
  return { queries, regressions: queries.filter((q) => q.status === 'slower').map((q) => q.name), thresholds, note };
}

export function serializePerf(run: PerfRun): string {
  return `${JSON.stringify(run, null, 2)}\n`;
}

export async function writePerf(path: string, run: PerfRun): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, serializePerf(run));
}

/** Reads a perf baseline; `null` when the file does not exist. */
export async function readPerf(path: string): Promise<PerfRun | null> {
  const parsed = (await readJsonFile(path, 'perf_baseline')) as PerfRun | null;
  if (parsed === null) return null;
  if (parsed?.format !== PERF_FORMAT || typeof parsed.queries !== 'object') {
    throw new ConfigError([
      {
        key: 'perf_baseline',
        message: `perf_baseline: got ${JSON.stringify(path)}; expected a perf baseline (format ${PERF_FORMAT})`,
      },
    ]);
  }
  return parsed;
}
