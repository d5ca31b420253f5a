/**
 * Performance check. Two kinds of evidence, in order of trust:
 *
 * 1. **Plan guards** (deterministic): every report (and every filter combination of a
 *    course-scoped one, see `filters.ts`) gets a plan profile (`profile.ts`): granules and parts
 *    selected after pruning, rows the engine plans to read, which sort keys pruned. A report
 *    regresses when its selected granules or rows grow beyond a threshold (granules: any growth on
 *    the embedded engine, where they are exact), or when a table sorted by `org`/`course_key`
 *    that the baseline pruned by that key is no longer pruned by it.
 * 2. **Wall-clock medians** (secondary): every entry repeated N times, interleaved (round 1 runs
 *    every entry, then round 2, …) after warm-up rounds, so a slow moment of the machine hits all
 *    alike. A report regresses only when its median is BOTH more than `threshold` slower
 *    (relative) AND at least `minDiffMs` slower (absolute).
 *
 * On a server (url, container) rows/bytes read and peak memory come from `system.query_log` for
 * each run, by query id. The embedded engine has no query log: those fields are absent and the
 * run says why.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { aspectsDbtTag, type SchemaNames } from '../clickhouse/schema.ts';
import { ConfigError } from '../errors.ts';
import { type ReportDefinition, renderReportSql } from './catalog.ts';
import { type FilterCombination, type FilterId, filterParams, perfEntryName, reportForFilter } from './filters.ts';
import { readJsonFile } from './json-file.ts';
import {
  EMBEDDED_QUERY_LOG_NOTE,
  keyedReads,
  planLines,
  profileQuery,
  type QueryLogStats,
  type QueryProfile,
  quantile,
  readQueryLogStats,
} from './profile.ts';
import { boundReportParams, type ReportParams, runReport } from './run.ts';

export { EMBEDDED_QUERY_LOG_NOTE, type QueryLogStats, quantile };

/** Version of the perf JSON. 2 added plan profiles and filter combinations; 1 files still read (timings only). */
export const PERF_FORMAT = 2;

export interface PerfOptions {
  /** Timed rounds. @default 5 */
  readonly repeats?: number;
  /** Untimed rounds first (caches, dictionaries, JIT). @default 1 */
  readonly warmup?: number;
  /** Monotonic milliseconds. @default performance.now */
  readonly now?: () => number;
  /**
   * Filter combinations of course-scoped reports (see `pickFilterCombinations`); `null` = each
   * report once with `params`. @default null
   */
  readonly filters?: readonly FilterCombination[] | null;
  /** Record a plan profile per entry. @default true */
  readonly profile?: boolean;
}

/** One entry of the perf JSON: a report under one filter combination. */
export interface PerfMeasurement {
  /** Entry name: the report name, plus `@median-course` / `@org` for the other filter combinations. */
  readonly name: string;
  /** The report (file stem). Absent in format-1 files (= {@link name}). */
  readonly report?: string;
  /** The filter combination; `null` for an instance-wide report or a run without filters. */
  readonly filter?: FilterId | null;
  /** Wall-clock milliseconds of every timed run, in run order. */
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly p95Ms: number;
  /** Medians of `system.query_log` over the timed runs; `null` on the embedded engine. */
  readonly queryLog: QueryLogStats | null;
  /** The plan profile (deterministic); absent in format-1 files or with `profile: false`. */
  readonly plan?: QueryProfile;
}

export interface PerfRun {
  readonly format: 1 | typeof PERF_FORMAT;
  /** `embedded` | `url` | `container`. */
  readonly engine: string;
  readonly serverVersion: string;
  /** The aspects-dbt schema the reports ran on (`v8.0.0`); absent in format-1 files. */
  readonly aspectsDbt?: string;
  readonly repeats: number;
  readonly warmup: number;
  /** Why `queryLog` is absent, when it is. */
  readonly queryLogNote: string | null;
  /** The filter combinations course-scoped reports ran under (absent: each report once). */
  readonly filters?: readonly FilterCombination[];
  /** Entries that could not run under a filter, with the reason. */
  readonly skipped?: readonly { readonly name: string; readonly reason: string }[];
  readonly queries: Readonly<Record<string, PerfMeasurement>>;
}

interface PerfEntry {
  readonly name: string;
  readonly report: ReportDefinition;
  readonly filter: FilterId | null;
  readonly params: ReportParams;
}

/** The entries of a run: instance reports once, course-scoped ones once per filter combination. */
function perfEntries(
  reports: readonly ReportDefinition[],
  params: ReportParams,
  filters: readonly FilterCombination[] | null,
  skipped: { name: string; reason: string }[],
): PerfEntry[] {
  const entries: PerfEntry[] = [];
  for (const report of reports) {
    if (report.scope === 'instance' || !filters || filters.length === 0) {
      entries.push({ name: report.name, report, filter: null, params });
      continue;
    }
    for (const filter of filters) {
      const name = perfEntryName(report.name, filter.id);
      const variant = reportForFilter(report, filter.id);
      if ('skipped' in variant) skipped.push({ name, reason: variant.skipped });
      else entries.push({ name, report: variant.report, filter: filter.id, params: filterParams(filter, params.now) });
    }
  }
  return entries;
}

/**
 * Measures the suite: plan profiles, then interleaved timed runs.
 *
 * @example
 * const filters = await pickFilterCombinations(ch, names, { org, courseKey });
 * const perf = await measurePerf(ch, reports, names, params, { repeats: 7, warmup: 1, filters });
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
  const skipped: { name: string; reason: string }[] = [];
  const entries = perfEntries(reports, params, options.filters ?? null, skipped);
  const plans = new Map<string, QueryProfile>();
  if (options.profile !== false) {
    for (const entry of entries) {
      const sql = renderReportSql(entry.report, names);
      // The timed runs below fill the server-side fields; the profile itself needs no extra run.
      plans.set(
        entry.name,
        await profileQuery(ch, sql, boundReportParams(sql, entry.params), { names, queryLog: false }),
      );
    }
  }
  const runOptions = options.now ? { now: options.now } : {};
  for (let round = 0; round < warmup; round++) {
    for (const e of entries) await runReport(ch, e.report, names, e.params, runOptions);
  }
  const samples = new Map<string, number[]>(entries.map((e) => [e.name, []]));
  const ids = new Map<string, string[]>(entries.map((e) => [e.name, []]));
  for (let round = 0; round < repeats; round++) {
    for (const e of entries) {
      const queryId = `xapi-db-load-${randomUUID()}`;
      const run = await runReport(ch, e.report, names, e.params, { ...runOptions, queryId });
      samples.get(e.name)?.push(run.elapsedMs);
      ids.get(e.name)?.push(queryId);
    }
  }
  const logStats = ch.kind === 'embedded' ? null : await readQueryLogStats(ch, ids);
  const queryLogNote =
    ch.kind === 'embedded' ? EMBEDDED_QUERY_LOG_NOTE : logStats === null ? 'system.query_log could not be read' : null;
  const queries: Record<string, PerfMeasurement> = {};
  for (const e of entries) {
    const s = samples.get(e.name) ?? [];
    const log = logStats?.get(e.name) ?? null;
    const plan = plans.get(e.name);
    queries[e.name] = {
      name: e.name,
      report: e.report.name,
      filter: e.filter,
      samplesMs: s.map(round3),
      medianMs: round3(quantile(s, 0.5)),
      p95Ms: round3(quantile(s, 0.95)),
      queryLog: log,
      ...(plan
        ? {
            plan: log
              ? { ...withoutQueryLogAbsent(plan), queryLog: log }
              : { ...plan, queryLogAbsent: plan.queryLogAbsent ?? queryLogNote ?? 'no system.query_log row' },
          }
        : {}),
    };
  }
  return {
    format: PERF_FORMAT,
    engine: ch.kind,
    serverVersion: ch.serverVersion,
    aspectsDbt: aspectsDbtTag(names.aspectsVersion),
    repeats,
    warmup,
    queryLogNote,
    ...(options.filters ? { filters: options.filters } : {}),
    ...(skipped.length > 0 ? { skipped } : {}),
    queries,
  };
}

function withoutQueryLogAbsent(plan: QueryProfile): QueryProfile {
  const { queryLogAbsent: _drop, ...rest } = plan;
  return rest;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export interface PerfThresholds {
  /** Relative slowdown of the median that counts as a regression: 0.5 = 50 % slower. @default 0.5 */
  readonly threshold: number;
  /** …and the median must also be at least this many ms slower. @default 5 */
  readonly minDiffMs: number;
  /**
   * Relative growth of selected granules that fails: 0 = any growth. `undefined`/`null` = 0 on the
   * embedded engine (granules are exact), 0.1 on a server (background merges may split parts
   * differently).
   */
  readonly granulesGrowth?: number | null;
  /** Relative growth of rows read (server: `read_rows`; embedded: EXPLAIN ESTIMATE) that fails. @default 0.1 */
  readonly rowsGrowth?: number | null;
}

export const DEFAULT_PERF_THRESHOLDS: PerfThresholds = Object.freeze({ threshold: 0.5, minDiffMs: 5 });

/** Default growth thresholds of the plan guards. */
export const DEFAULT_GRANULES_GROWTH = { embedded: 0, server: 0.1 } as const;
export const DEFAULT_ROWS_GROWTH = 0.1;

export type PerfStatus = 'ok' | 'slower' | 'faster' | 'new';

/** The deterministic guards. */
export type PlanGuard = 'granules' | 'rows' | 'pruning';

/** Why a report failed a plan guard. */
export interface PlanFinding {
  readonly guard: PlanGuard;
  /** The table concerned (`pruning`, and the table that grew most for `granules`/`rows`). */
  readonly table: string | null;
  /** The sort key that stopped pruning (`pruning`). */
  readonly key: string | null;
  readonly baseline: number | null;
  readonly current: number | null;
  /** One line: what, where, baseline → current, threshold. */
  readonly message: string;
}

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
  /** Plan guards that failed (empty when the plan is as good as the baseline's, or not compared). */
  readonly findings: readonly PlanFinding[];
  /** Plan lines (see `planLines`) that changed: `- baseline`, `+ current`. */
  readonly planDiff: readonly string[];
  /** Selected granules and rows (read, else estimated) of both plans; `null` when not compared. */
  readonly granules: { readonly baseline: number; readonly current: number } | null;
  readonly rows: { readonly baseline: number; readonly current: number } | null;
}

export interface PerfVerdict {
  readonly queries: readonly PerfComparison[];
  /** Entries that failed a plan guard or got slower. */
  readonly regressions: readonly string[];
  /** The thresholds applied, with the growth defaults resolved for the engine. */
  readonly thresholds: PerfThresholds & { readonly granulesGrowth: number; readonly rowsGrowth: number };
  /** Set when the baseline was timed on another engine or ClickHouse version. */
  readonly note: string | null;
  /** Set when the plan guards were not applied (e.g. baseline from another ClickHouse version). */
  readonly planNote: string | null;
}

/** Compares a run with a baseline run (or with nothing: every query is `new`). */
export function comparePerf(baseline: PerfRun | null, current: PerfRun, thresholds: PerfThresholds): PerfVerdict {
  const resolved = {
    ...thresholds,
    granulesGrowth:
      thresholds.granulesGrowth ??
      (current.engine === 'embedded' ? DEFAULT_GRANULES_GROWTH.embedded : DEFAULT_GRANULES_GROWTH.server),
    rowsGrowth: thresholds.rowsGrowth ?? DEFAULT_ROWS_GROWTH,
  };
  // Plans differ between ClickHouse releases (25.8 also prunes by org where 26.x does not) and
  // between aspects-dbt schemas (other sort keys): compare plans of one release and schema only.
  const sameSchema = baseline?.aspectsDbt === undefined || baseline.aspectsDbt === current.aspectsDbt;
  const sameRelease =
    baseline !== null && release(baseline.serverVersion) === release(current.serverVersion) && sameSchema;
  const planNote =
    baseline === null || sameRelease
      ? null
      : !sameSchema
        ? `plan guards skipped: the baseline ran on aspects-dbt ${baseline.aspectsDbt}, this run on ${current.aspectsDbt}`
        : `plan guards skipped: the baseline's plans come from ClickHouse ${baseline.serverVersion}, this run's from ${current.serverVersion}`;
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
        findings: [],
        planDiff: [],
        granules: null,
        rows: null,
      };
    }
    const ratio = base.medianMs > 0 ? q.medianMs / base.medianMs : q.medianMs > 0 ? Number.POSITIVE_INFINITY : 1;
    const diff = q.medianMs - base.medianMs;
    const slower = ratio > 1 + thresholds.threshold && diff >= thresholds.minDiffMs;
    const faster = ratio < 1 / (1 + thresholds.threshold) && -diff >= thresholds.minDiffMs;
    const plans = sameRelease && base.plan && q.plan ? { base: base.plan, cur: q.plan } : null;
    const findings = plans ? planFindings(plans.base, plans.cur, q.filter != null, resolved) : [];
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
      findings,
      planDiff: plans ? lineDiff(planLines(plans.base), planLines(plans.cur)) : [],
      granules: plans ? { baseline: plans.base.granules, current: plans.cur.granules } : null,
      rows:
        plans && rowsOf(plans.base).source === rowsOf(plans.cur).source
          ? { baseline: rowsOf(plans.base).rows, current: rowsOf(plans.cur).rows }
          : null,
    };
  });
  const note =
    baseline && (baseline.engine !== current.engine || baseline.serverVersion !== current.serverVersion)
      ? `the perf baseline was timed on ${baseline.engine} ClickHouse ${baseline.serverVersion}, ` +
        `this run on ${current.engine} ClickHouse ${current.serverVersion}`
      : null;
  return {
    queries,
    regressions: queries.filter((q) => q.status === 'slower' || q.findings.length > 0).map((q) => q.name),
    thresholds: resolved,
    note,
    planNote,
  };
}

/** `25.8.2.1` → `25.8`. */
function release(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** Rows a plan reads: `read_rows` when the server logged it, else the estimate. */
function rowsOf(plan: QueryProfile): { rows: number; source: string } {
  return plan.queryLog
    ? { rows: plan.queryLog.readRows, source: 'rows read' }
    : { rows: plan.estimatedRows, source: 'estimated rows' };
}

function percent(ratio: number): string {
  return `${ratio >= 0 ? '+' : ''}${Math.round(ratio * 100)} %`;
}

/** The guards of one entry. `courseScoped`: the pruning guard applies. */
export function planFindings(
  base: QueryProfile,
  cur: QueryProfile,
  courseScoped: boolean,
  thresholds: { readonly granulesGrowth: number; readonly rowsGrowth: number },
): PlanFinding[] {
  const findings: PlanFinding[] = [];
  const baseReads = new Map(keyedReads(base));
  const curReads = new Map(keyedReads(cur));
  if (courseScoped) {
    for (const [key, b] of baseReads) {
      const c = curReads.get(key);
      if (!c) continue;
      for (const sortKey of b.prunedBy) {
        if (!b.sortedBy.includes(sortKey) || c.prunedBy.includes(sortKey)) continue;
        findings.push({
          guard: 'pruning',
          table: key,
          key: sortKey,
          baseline: b.granules.selected,
          current: c.granules.selected,
          message:
            `${key} is no longer pruned by ${sortKey} (a key of its primary key): granules ` +
            `${b.granules.selected}/${b.granules.initial} → ${c.granules.selected}/${c.granules.initial}`,
        });
      }
    }
  }
  const grewMost = (metric: (r: QueryProfile['reads'][number]) => number): string | null => {
    let best: { key: string; growth: number } | null = null;
    for (const [key, c] of curReads) {
      const growth = metric(c) - (baseReads.has(key) ? metric(baseReads.get(key) as QueryProfile['reads'][number]) : 0);
      if (growth > 0 && (best === null || growth > best.growth)) best = { key, growth };
    }
    return best?.key ?? null;
  };
  if (base.granules > 0 || cur.granules > 0) {
    const growth = base.granules > 0 ? cur.granules / base.granules - 1 : Number.POSITIVE_INFINITY;
    if (growth > thresholds.granulesGrowth) {
      const table = grewMost((r) => r.granules.selected);
      findings.push({
        guard: 'granules',
        table,
        key: null,
        baseline: base.granules,
        current: cur.granules,
        message:
          `selected granules ${base.granules} → ${cur.granules} (${percent(growth)} > ${percent(thresholds.granulesGrowth)})` +
          (table ? `, most on ${table}` : ''),
      });
    }
  }
  const b = rowsOf(base);
  const c = rowsOf(cur);
  if (b.source === c.source && (b.rows > 0 || c.rows > 0)) {
    const growth = b.rows > 0 ? c.rows / b.rows - 1 : Number.POSITIVE_INFINITY;
    if (growth > thresholds.rowsGrowth) {
      let table: string | null = null;
      let most = 0;
      for (const [t, rows] of Object.entries(cur.estimatedRowsByTable)) {
        const grew = rows - (base.estimatedRowsByTable[t] ?? 0);
        if (grew > most) [table, most] = [t, grew];
      }
      findings.push({
        guard: 'rows',
        table,
        key: null,
        baseline: b.rows,
        current: c.rows,
        message:
          `${b.source} ${b.rows.toLocaleString('en-US')} → ${c.rows.toLocaleString('en-US')} ` +
          `(${percent(growth)} > ${percent(thresholds.rowsGrowth)})` +
          (table ? `, most on ${table}` : ''),
      });
    }
  }
  return findings;
}

/** Lines only in `before` (`- `) then lines only in `after` (`+ `), in their order. */
function lineDiff(before: readonly string[], after: readonly string[]): string[] {
  const a = new Set(after);
  const b = new Set(before);
  return [
    ...before.filter((l) => !a.has(l)).map((l) => `- ${l}`),
    ...after.filter((l) => !b.has(l)).map((l) => `+ ${l}`),
  ];
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
  if ((parsed?.format !== 1 && parsed?.format !== PERF_FORMAT) || typeof parsed.queries !== 'object') {
    throw new ConfigError([
      {
        key: 'perf_baseline',
        message: `perf_baseline: got ${JSON.stringify(path)}; expected a perf baseline (format 1 or ${PERF_FORMAT})`,
      },
    ]);
  }
  return parsed;
}
