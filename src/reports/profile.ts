/**
 * Plan profiles: what a query costs, measured without a clock. For every MergeTree table a query
 * reads, the parts and granules left after partition and primary-key pruning
 * (`EXPLAIN json = 1, indexes = 1`), the rows the engine plans to read (`EXPLAIN ESTIMATE`), and
 * which index conditions were used. These numbers are exact for a given dataset, schema and
 * engine, so a guard can fail on any growth where a wall-clock threshold would flap.
 *
 * On a server the profile adds what the query really read from `system.query_log` (rows, bytes,
 * peak memory), found by the query's own id and `log_comment` so concurrent work never mixes in.
 * The embedded engine (chdb) has no query log: those fields are absent, not zero, and
 * {@link QueryProfile.queryLogAbsent} says why.
 *
 * The JSON plan is parsed, not the text plan: its shape is the same on the npm engine (26.x) and
 * ClickHouse 25.8; only index type names differ (`Min-Max` vs `MinMax`), and are normalized.
 */

import { randomUUID } from 'node:crypto';
import type { ClickHouseSettings } from '@clickhouse/client';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { DEFAULT_SCHEMA_NAMES, type SchemaNames } from '../clickhouse/schema.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { REPORT_SETTINGS } from './run.ts';

/** Sort-key columns whose pruning the guards watch: the dashboards filter by them. */
export const PRUNING_KEYS: readonly string[] = Object.freeze(['org', 'course_key']);

/** Why server-only fields are absent on the embedded engine. */
export const EMBEDDED_QUERY_LOG_NOTE =
  'embedded engine (chdb): no system.query_log, so rows/bytes read and peak memory are absent (not zero); ' +
  'the guards use EXPLAIN granules and estimated rows, with wall-clock timings only';

/** Server-side statistics of a query, from `system.query_log` (medians when it ran several times). */
export interface QueryLogStats {
  readonly readRows: number;
  readonly readBytes: number;
  /** Peak memory of the query (`memory_usage`). */
  readonly memoryBytes: number;
  readonly durationMs: number;
}

/** Before and after one pruning step. */
export interface Selected {
  readonly initial: number;
  readonly selected: number;
}

/** One index step of a table read, as `EXPLAIN indexes = 1` lists it. */
export interface IndexUse {
  /** `MinMax`, `Partition`, `PrimaryKey`, `Skip`, … (punctuation removed). */
  readonly type: string;
  /** Key columns the condition uses. */
  readonly keys: readonly string[];
  /** The condition with string literals replaced by `'…'` (so course keys do not show as changes). */
  readonly condition: string;
  /** `false` when the condition is `true`: the index could not use the query's filter. */
  readonly used: boolean;
  readonly parts: Selected;
  readonly granules: Selected;
}

/** One `ReadFromMergeTree` of the plan. */
export interface TableRead {
  /** `database.table` with the default database names (`xapi`, `event_sink`, `reporting`). */
  readonly table: string;
  /** {@link PRUNING_KEYS} that are in the table's primary key. */
  readonly sortedBy: readonly string[];
  /** {@link PRUNING_KEYS} some index condition of this read used. */
  readonly prunedBy: readonly string[];
  /** Parts before the first index step and after the last. */
  readonly parts: Selected;
  /** Granules before the first index step and after the last. */
  readonly granules: Selected;
  readonly indexes: readonly IndexUse[];
}

/** What one query costs, deterministic for a dataset, schema and engine. */
export interface QueryProfile {
  /** Selected granules summed over every table read. */
  readonly granules: number;
  /** Selected parts summed over every table read. */
  readonly parts: number;
  /** Rows the engine plans to read after pruning (`EXPLAIN ESTIMATE`, summed over tables). */
  readonly estimatedRows: number;
  /** Estimated rows per table (`EXPLAIN ESTIMATE`), default database names. */
  readonly estimatedRowsByTable: Readonly<Record<string, number>>;
  /** Table reads in plan order. */
  readonly reads: readonly TableRead[];
  /** Server only: what the query really read. Absent on the embedded engine. */
  readonly queryLog?: QueryLogStats;
  /** Why {@link queryLog} is absent, when it is. */
  readonly queryLogAbsent?: string;
}

export interface ProfileOptions {
  /** Maps the databases in plan output back to the default names, so profiles compare across databases. */
  readonly names?: SchemaNames;
  /** @default REPORT_SETTINGS */
  readonly settings?: ClickHouseSettings;
  /** Run the query once on a server to read `system.query_log`. @default true */
  readonly queryLog?: boolean;
}

/**
 * Profiles one query.
 *
 * @example
 * const p = await profileQuery(ch, 'SELECT count() FROM xapi.problem_events WHERE course_key = {c:String}', { c: key });
 * p.reads[0]?.prunedBy; // ['course_key']
 */
export async function profileQuery(
  ch: ClickHouse,
  sql: string,
  params: Readonly<Record<string, unknown>> = {},
  options: ProfileOptions = {},
): Promise<QueryProfile> {
  const settings = options.settings ?? REPORT_SETTINGS;
  const ask = async <T>(query: string, format: 'TabSeparatedRaw' | 'JSONEachRow', bound = params): Promise<T> => {
    try {
      const rs = await ch.client.query({ query, format, query_params: { ...bound }, clickhouse_settings: settings });
      return (format === 'TabSeparatedRaw' ? await rs.text() : await rs.json()) as T;
    } catch (error) {
      throw new XapiDbLoadError(
        `Cannot profile the query on ${ch.description}: ${describeError(error)}\n${query.slice(0, 300)}`,
        { cause: error },
      );
    }
  };
  const rename = databaseRenamer(options.names);
  const plan = await ask<string>(`EXPLAIN json = 1, indexes = 1 ${sql}`, 'TabSeparatedRaw');
  const estimate = await ask<{ database: string; table: string; rows: string | number }[]>(
    `EXPLAIN ESTIMATE ${sql}`,
    'JSONEachRow',
  );
  const rawReads = parsePlanReads(plan);
  const qualified = [...new Set(rawReads.map((r) => r.table))];
  const primaryKeys = await readPrimaryKeys(ch, qualified);
  const reads = rawReads.map((r) => finishRead(r, primaryKeys.get(r.table) ?? [], rename));
  const estimatedRowsByTable: Record<string, number> = {};
  for (const row of estimate) {
    const table = rename(`${row.database}.${row.table}`);
    estimatedRowsByTable[table] = (estimatedRowsByTable[table] ?? 0) + Number(row.rows);
  }
  const profile = {
    granules: reads.reduce((n, r) => n + r.granules.selected, 0),
    parts: reads.reduce((n, r) => n + r.parts.selected, 0),
    estimatedRows: Object.values(estimatedRowsByTable).reduce((n, v) => n + v, 0),
    estimatedRowsByTable: sortKeys(estimatedRowsByTable),
    reads,
  };
  if (ch.kind === 'embedded') return { ...profile, queryLogAbsent: EMBEDDED_QUERY_LOG_NOTE };
  if (options.queryLog === false) return profile;
  const queryId = `xapi-db-load-profile-${randomUUID()}`;
  try {
    const rs = await ch.client.query({
      query: sql,
      format: 'JSONCompact',
      query_params: { ...params },
      query_id: queryId,
      clickhouse_settings: { ...settings, log_comment: queryId },
    });
    await rs.json();
  } catch (error) {
    throw new XapiDbLoadError(`Query failed on ${ch.description}: ${describeError(error)}`, { cause: error });
  }
  const stats = await readQueryLogStats(ch, new Map([['q', [queryId]]]));
  const own = stats?.get('q');
  return own
    ? { ...profile, queryLog: own }
    : { ...profile, queryLogAbsent: `system.query_log has no row for ${queryId}` };
}

/**
 * Medians of `system.query_log` per group of query ids (each group: the runs of one query);
 * `null` when the log cannot be read (a warning names the server and the error).
 */
export async function readQueryLogStats(
  ch: ClickHouse,
  ids: ReadonlyMap<string, readonly string[]>,
): Promise<Map<string, QueryLogStats> | null> {
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
    const rows =
      await rs.json<Record<'query_id' | 'read_rows' | 'read_bytes' | 'memory_usage' | 'query_duration_ms', string>>();
    const byId = new Map(rows.map((r) => [r.query_id, r]));
    const out = new Map<string, QueryLogStats>();
    for (const [name, list] of ids) {
      const found = list.map((id) => byId.get(id)).filter((r) => r !== undefined);
      if (found.length === 0) continue;
      const median = (key: 'read_rows' | 'read_bytes' | 'memory_usage' | 'query_duration_ms') =>
        quantile(
          found.map((r) => Number(r[key])),
          0.5,
        );
      out.set(name, {
        readRows: median('read_rows'),
        readBytes: median('read_bytes'),
        memoryBytes: median('memory_usage'),
        durationMs: median('query_duration_ms'),
      });
    }
    return out;
  } catch (error) {
    process.emitWarning(`system.query_log not readable on ${ch.description}: ${describeError(error)}`);
    return null;
  }
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

interface RawRead {
  readonly table: string;
  readonly indexes: readonly IndexUse[];
}

/**
 * The `ReadFromMergeTree` steps of an `EXPLAIN json = 1, indexes = 1` answer, in plan order
 * (depth first, as the text plan prints them).
 */
export function parsePlanReads(planJson: string): RawRead[] {
  let plan: unknown;
  try {
    plan = JSON.parse(planJson);
  } catch (error) {
    throw new XapiDbLoadError(`EXPLAIN json = 1 did not return JSON: ${planJson.slice(0, 200)}`, { cause: error });
  }
  const reads: RawRead[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record['Node Type'] === 'ReadFromMergeTree' && typeof record.Description === 'string') {
      const indexes = Array.isArray(record.Indexes) ? record.Indexes.map(parseIndex) : [];
      reads.push({ table: record.Description, indexes });
    }
    for (const value of Object.values(record)) if (typeof value === 'object') walk(value);
  };
  walk(plan);
  return reads;
}

function parseIndex(raw: unknown): IndexUse {
  const r = (raw ?? {}) as Record<string, unknown>;
  const num = (key: string): number => {
    const n = Number(r[key]);
    return Number.isFinite(n) ? n : 0;
  };
  const condition = typeof r.Condition === 'string' ? r.Condition : 'true';
  return {
    type: String(r.Type ?? 'unknown').replace(/[^A-Za-z0-9]/g, ''),
    keys: Array.isArray(r.Keys) ? r.Keys.map(String) : [],
    condition: maskLiterals(condition),
    used: condition !== 'true',
    parts: { initial: num('Initial Parts'), selected: num('Selected Parts') },
    granules: { initial: num('Initial Granules'), selected: num('Selected Granules') },
  };
}

/** Replaces quoted string literals with `'…'`. */
export function maskLiterals(text: string): string {
  return text.replace(/'(?:[^'\\]|\\.)*'/g, "'…'");
}

function finishRead(raw: RawRead, primaryKey: readonly string[], rename: (t: string) => string): TableRead {
  const first = raw.indexes[0];
  const last = raw.indexes[raw.indexes.length - 1];
  const used = new Set(raw.indexes.filter((i) => i.used).flatMap((i) => i.keys));
  return {
    table: rename(raw.table),
    sortedBy: PRUNING_KEYS.filter((k) => primaryKey.includes(k)),
    prunedBy: PRUNING_KEYS.filter((k) => used.has(k)),
    parts: { initial: first?.parts.initial ?? 0, selected: last?.parts.selected ?? 0 },
    granules: { initial: first?.granules.initial ?? 0, selected: last?.granules.selected ?? 0 },
    indexes: raw.indexes,
  };
}

/** Primary-key columns (top-level expressions) of `db.table` names. */
async function readPrimaryKeys(ch: ClickHouse, tables: readonly string[]): Promise<Map<string, string[]>> {
  if (tables.length === 0) return new Map();
  try {
    const rs = await ch.client.query({
      query:
        "SELECT concat(database, '.', name) AS t, primary_key FROM system.tables " +
        "WHERE concat(database, '.', name) IN {tables:Array(String)}",
      query_params: { tables: [...tables] },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ t: string; primary_key: string }>();
    return new Map(rows.map((r) => [r.t, splitTopLevel(r.primary_key)]));
  } catch (error) {
    throw new XapiDbLoadError(
      `Cannot read the primary keys of ${tables.join(', ')} on ${ch.description}: ${describeError(error)}`,
      { cause: error },
    );
  }
}

/** Splits `a, f(b, c), d` at top-level commas. */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/** `actual_db.table` → `xapi.table` etc., so profiles of copies in other databases compare. */
function databaseRenamer(names: SchemaNames | undefined): (table: string) => string {
  if (!names) return (t) => t;
  const map = new Map([
    [names.xapiDb, DEFAULT_SCHEMA_NAMES.xapiDb],
    [names.eventSinkDb, DEFAULT_SCHEMA_NAMES.eventSinkDb],
    [names.reportingDb, DEFAULT_SCHEMA_NAMES.reportingDb],
  ]);
  return (t) => {
    const dot = t.indexOf('.');
    if (dot === -1) return t;
    const db = map.get(t.slice(0, dot));
    return db === undefined ? t : `${db}${t.slice(dot)}`;
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Table reads keyed `table`, `table#2`, … in plan order (a table read twice keeps both). */
export function keyedReads(profile: QueryProfile): [string, TableRead][] {
  const seen = new Map<string, number>();
  return profile.reads.map((read) => {
    const n = (seen.get(read.table) ?? 0) + 1;
    seen.set(read.table, n);
    return [n > 1 ? `${read.table}#${n}` : read.table, read];
  });
}

/** One line per table read, for diffs of plans: table, index steps with keys, parts and granules. */
export function planLines(profile: QueryProfile): string[] {
  return keyedReads(profile).map(([key, read]) => {
    const steps = read.indexes
      .map((i) => `${i.type}${i.used ? `(${i.keys.join(', ') || i.condition})` : '(unused)'}`)
      .join(' → ');
    return (
      `${key}: ${steps || 'no index step'}; ` +
      `parts ${read.parts.selected}/${read.parts.initial}, granules ${read.granules.selected}/${read.granules.initial}`
    );
  });
}
