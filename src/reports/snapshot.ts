/**
 * Report snapshots (sorted, normalized JSON) and their comparison with a baseline: exact for
 * columns, row keys, counts and strings; a relative tolerance for `@approximate` columns (and a
 * float-noise tolerance for every float).
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AspectsVersion } from '../clickhouse/aspects-version.ts';
import { aspectsDbtTag } from '../clickhouse/schema.ts';
import { ConfigError } from '../errors.ts';
import type { ReportDefinition } from './catalog.ts';
import { readJsonFile } from './json-file.ts';
import { isNumericType, type ReportParams, type ReportResult, type ReportValue } from './run.ts';

/** Version of the snapshot file layout. */
export const SNAPSHOT_FORMAT = 1;

/** Relative tolerance of every non-approximate float: noise of parallel float sums. */
export const FLOAT_TOLERANCE = 1e-9;

export interface SnapshotReport {
  readonly title: string;
  readonly columns: readonly string[];
  readonly types: readonly string[];
  /** Columns compared with `tolerance`. */
  readonly approximate: readonly string[];
  readonly tolerance: number;
  readonly key: readonly string[] | null;
  readonly rows: readonly (readonly ReportValue[])[];
}

export interface Snapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly aspectsDbt: string;
  readonly datasetHash: string | null;
  readonly params: { readonly org: string; readonly courseKey: string; readonly now: string };
  readonly reports: Readonly<Record<string, SnapshotReport>>;
}

/** Builds a snapshot; reports are keyed by name in sorted order. */
export function buildSnapshot(
  results: readonly { readonly report: ReportDefinition; readonly result: ReportResult }[],
  params: ReportParams,
  datasetHash: string | null,
  /** The release the reports ran against. @default DEFAULT_ASPECTS_VERSION */
  aspectsVersion?: AspectsVersion,
): Snapshot {
  const sorted = [...results].sort((a, b) => (a.report.name < b.report.name ? -1 : 1));
  const reports: Record<string, SnapshotReport> = {};
  for (const { report, result } of sorted) {
    reports[report.name] = {
      title: report.title,
      columns: result.columns,
      types: result.types,
      approximate: report.approximate,
      tolerance: report.tolerance,
      key: report.key,
      rows: result.rows,
    };
  }
  return {
    format: SNAPSHOT_FORMAT,
    aspectsDbt: aspectsDbtTag(aspectsVersion),
    datasetHash,
    params: { org: params.org, courseKey: params.courseKey, now: params.now },
    reports,
  };
}

/**
 * The snapshot as file text: two-space JSON, one row per line so a `git diff` of a baseline
 * shows changed rows, not changed cells.
 */
export function serializeSnapshot(snapshot: Snapshot): string {
  const lines: string[] = ['{'];
  lines.push(`  "format": ${snapshot.format},`);
  lines.push(`  "aspectsDbt": ${JSON.stringify(snapshot.aspectsDbt)},`);
  lines.push(`  "datasetHash": ${JSON.stringify(snapshot.datasetHash)},`);
  lines.push(`  "params": ${JSON.stringify(snapshot.params)},`);
  lines.push('  "reports": {');
  const names = Object.keys(snapshot.reports);
  names.forEach((name, i) => {
    const r = snapshot.reports[name] as SnapshotReport;
    lines.push(`    ${JSON.stringify(name)}: {`);
    lines.push(`      "title": ${JSON.stringify(r.title)},`);
    lines.push(`      "columns": ${JSON.stringify(r.columns)},`);
    lines.push(`      "types": ${JSON.stringify(r.types)},`);
    lines.push(`      "approximate": ${JSON.stringify(r.approximate)},`);
    lines.push(`      "tolerance": ${JSON.stringify(r.tolerance)},`);
    lines.push(`      "key": ${JSON.stringify(r.key)},`);
    if (r.rows.length === 0) {
      lines.push('      "rows": []');
    } else {
      lines.push('      "rows": [');
      r.rows.forEach((row, j) => {
        lines.push(`        ${JSON.stringify(row)}${j < r.rows.length - 1 ? ',' : ''}`);
      });
      lines.push('      ]');
    }
    lines.push(`    }${i < names.length - 1 ? ',' : ''}`);
  });
  lines.push('  }');
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, serializeSnapshot(snapshot));
}

/** Reads a baseline; `null` when the file does not exist. */
export async function readSnapshot(path: string): Promise<Snapshot | null> {
  const parsed = (await readJsonFile(path, 'baseline')) as Snapshot | null;
  if (parsed === null) return null;
  if (parsed?.format !== SNAPSHOT_FORMAT || typeof parsed.reports !== 'object') {
    throw new ConfigError([
      {
        key: 'baseline',
        message: `baseline: got ${JSON.stringify(path)}; expected a report snapshot (format ${SNAPSHOT_FORMAT}); re-record it with --update-baseline`,
      },
    ]);
  }
  return parsed;
}

export type ReportStatus = 'match' | 'changed' | 'new' | 'missing';

/** One differing row, rendered for people. */
export interface RowDiff {
  /** e.g. `day=2023-05-01, enrollment_status=registered` or `row 3`. */
  readonly where: string;
  /** `- …` baseline line, `null` when the row is new. */
  readonly expected: string | null;
  /** `+ …` current line, `null` when the row disappeared. */
  readonly actual: string | null;
  /** `enrollments: 12 → 11` for changed rows. */
  readonly changes: readonly string[];
}

export interface ReportComparison {
  readonly name: string;
  readonly title: string;
  readonly status: ReportStatus;
  readonly baselineRows: number | null;
  readonly currentRows: number | null;
  /** One line: what changed (columns, row counts, values). */
  readonly reason: string | null;
  /** The first differing rows (at most {@link MAX_ROW_DIFFS}). */
  readonly diffs: readonly RowDiff[];
  /** Differing rows in all. */
  readonly differingRows: number;
}

export const MAX_ROW_DIFFS = 5;

export interface SnapshotComparison {
  readonly reports: readonly ReportComparison[];
  /** Names of reports that changed or disappeared. */
  readonly regressions: readonly string[];
  /** Notes such as a different dataset hash or reference time. */
  readonly notes: readonly string[];
}

/**
 * Compares a current snapshot with a baseline. New reports are not regressions (they are added
 * to the baseline by `--update-baseline`); missing and changed ones are.
 */
export function compareSnapshots(baseline: Snapshot, current: Snapshot): SnapshotComparison {
  const notes: string[] = [];
  if (baseline.datasetHash !== current.datasetHash) {
    notes.push(
      `dataset hash differs: baseline ${baseline.datasetHash ?? 'none'}, current ${current.datasetHash ?? 'none'}`,
    );
  }
  for (const key of ['org', 'courseKey', 'now'] as const) {
    if (baseline.params[key] !== current.params[key]) {
      notes.push(`parameter ${key} differs: baseline ${baseline.params[key]}, current ${current.params[key]}`);
    }
  }
  if (baseline.aspectsDbt !== current.aspectsDbt) {
    notes.push(`aspects-dbt version differs: baseline ${baseline.aspectsDbt}, current ${current.aspectsDbt}`);
  }
  const names = [...new Set([...Object.keys(baseline.reports), ...Object.keys(current.reports)])].sort();
  const reports = names.map((name) => compareReport(name, baseline.reports[name], current.reports[name]));
  return {
    reports,
    regressions: reports.filter((r) => r.status === 'changed' || r.status === 'missing').map((r) => r.name),
    notes,
  };
}

function compareReport(
  name: string,
  base: SnapshotReport | undefined,
  cur: SnapshotReport | undefined,
): ReportComparison {
  if (!base && cur) {
    return {
      name,
      title: cur.title,
      status: 'new',
      baselineRows: null,
      currentRows: cur.rows.length,
      reason: 'not in the baseline',
      diffs: [],
      differingRows: 0,
    };
  }
  if (base && !cur) {
    return {
      name,
      title: base.title,
      status: 'missing',
      baselineRows: base.rows.length,
      currentRows: null,
      reason: 'in the baseline but not run',
      diffs: [],
      differingRows: 0,
    };
  }
  const b = base as SnapshotReport;
  const c = cur as SnapshotReport;
  const common = { name, title: c.title, baselineRows: b.rows.length, currentRows: c.rows.length };
  if (JSON.stringify(b.columns) !== JSON.stringify(c.columns)) {
    return {
      ...common,
      status: 'changed',
      reason: `columns changed: [${b.columns.join(', ')}] → [${c.columns.join(', ')}]`,
      diffs: [],
      differingRows: Math.max(b.rows.length, c.rows.length),
    };
  }
  const approximate = new Set(c.approximate);
  const tolerance = c.tolerance;
  const keyIdx = keyColumns(c);
  const keyOf = (row: readonly ReportValue[]): string => JSON.stringify(keyIdx.map((i) => row[i] ?? null));
  const baseByKey = groupByKey(b.rows, keyOf);
  const curByKey = groupByKey(c.rows, keyOf);
  const useKeys = baseByKey !== null && curByKey !== null && keyIdx.length > 0;
  const diffs: RowDiff[] = [];
  let differing = 0;
  const describeKey = (row: readonly ReportValue[]): string =>
    keyIdx.map((i) => `${c.columns[i]}=${formatValue(row[i] ?? null)}`).join(', ');
  const changesOf = (x: readonly ReportValue[], y: readonly ReportValue[]): string[] => {
    const changes: string[] = [];
    c.columns.forEach((col, i) => {
      const tol = approximate.has(col) ? tolerance : FLOAT_TOLERANCE;
      if (!valuesMatch(x[i] ?? null, y[i] ?? null, tol)) {
        changes.push(`${col}: ${formatValue(x[i] ?? null)} → ${formatValue(y[i] ?? null)}`);
      }
    });
    return changes;
  };
  const push = (d: RowDiff) => {
    differing++;
    if (diffs.length < MAX_ROW_DIFFS) diffs.push(d);
  };
  if (useKeys) {
    const keys = [...new Set([...b.rows.map(keyOf), ...c.rows.map(keyOf)])];
    // Walk in the current order, then the baseline rows that vanished, so diffs read top-down.
    const order = new Map<string, number>();
    c.rows.forEach((row, i) => {
      order.set(keyOf(row), i);
    });
    b.rows.forEach((row, i) => {
      if (!order.has(keyOf(row))) order.set(keyOf(row), c.rows.length + i);
    });
    keys.sort((x, y) => (order.get(x) ?? 0) - (order.get(y) ?? 0));
    for (const key of keys) {
      const x = baseByKey.get(key);
      const y = curByKey.get(key);
      if (x && y) {
        const changes = changesOf(x, y);
        if (changes.length > 0) {
          push({ where: describeKey(y), expected: formatRow(c.columns, x), actual: formatRow(c.columns, y), changes });
        }
      } else if (x) {
        push({ where: describeKey(x), expected: formatRow(c.columns, x), actual: null, changes: ['row missing'] });
      } else if (y) {
        push({ where: describeKey(y), expected: null, actual: formatRow(c.columns, y), changes: ['row added'] });
      }
    }
  } else {
    const n = Math.max(b.rows.length, c.rows.length);
    for (let i = 0; i < n; i++) {
      const x = b.rows[i];
      const y = c.rows[i];
      const changes = x && y ? changesOf(x, y) : [x ? 'row missing' : 'row added'];
      if (changes.length > 0) {
        push({
          where: `row ${i + 1}`,
          expected: x ? formatRow(c.columns, x) : null,
          actual: y ? formatRow(c.columns, y) : null,
          changes,
        });
      }
    }
  }
  if (differing === 0) return { ...common, status: 'match', reason: null, diffs: [], differingRows: 0 };
  const rowCount = b.rows.length === c.rows.length ? '' : `, rows ${b.rows.length} → ${c.rows.length}`;
  return {
    ...common,
    status: 'changed',
    reason: `${differing} row(s) differ${rowCount}`,
    diffs,
    differingRows: differing,
  };
}

/** Indexes of the key columns: the declared ones, else every non-numeric column. */
function keyColumns(r: SnapshotReport): number[] {
  if (r.key) return r.key.map((k) => r.columns.indexOf(k)).filter((i) => i >= 0);
  return r.types.map((t, i) => (isNumericType(t) ? -1 : i)).filter((i) => i >= 0);
}

/** Rows by key; `null` when two rows share a key (then rows are compared by position). */
function groupByKey(
  rows: readonly (readonly ReportValue[])[],
  keyOf: (row: readonly ReportValue[]) => string,
): Map<string, readonly ReportValue[]> | null {
  const map = new Map<string, readonly ReportValue[]>();
  for (const row of rows) {
    const key = keyOf(row);
    if (map.has(key)) return null;
    map.set(key, row);
  }
  return map;
}

/** Equal, or both numbers within the relative tolerance (of the larger magnitude). */
export function valuesMatch(a: ReportValue, b: ReportValue, relativeTolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return true;
    const scale = Math.max(Math.abs(a), Math.abs(b));
    return Math.abs(a - b) <= relativeTolerance * scale;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

function formatValue(v: ReportValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function formatRow(columns: readonly string[], row: readonly ReportValue[]): string {
  return columns.map((c, i) => `${c}=${formatValue(row[i] ?? null)}`).join(', ');
}

/** Plain-text rendering of a comparison, for the terminal. */
export function formatComparison(comparison: SnapshotComparison): string {
  const lines: string[] = [];
  for (const note of comparison.notes) lines.push(`note: ${note}`);
  for (const r of comparison.reports) {
    if (r.status === 'match') continue;
    lines.push(`${r.status === 'new' ? 'NEW' : 'CHANGED'} ${r.name} (${r.title}): ${r.reason ?? r.status}`);
    for (const d of r.diffs) {
      lines.push(`  at ${d.where}: ${d.changes.join('; ')}`);
      if (d.expected !== null) lines.push(`    - ${d.expected}`);
      if (d.actual !== null) lines.push(`    + ${d.actual}`);
    }
    if (r.differingRows > r.diffs.length) lines.push(`  … and ${r.differingRows - r.diffs.length} more row(s)`);
  }
  const matched = comparison.reports.filter((r) => r.status === 'match').length;
  lines.push(
    `${matched}/${comparison.reports.length} report(s) match the baseline` +
      (comparison.regressions.length > 0 ? `; changed: ${comparison.regressions.join(', ')}` : ''),
  );
  return lines.join('\n');
}
