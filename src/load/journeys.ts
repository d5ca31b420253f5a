/**
 * The load stage for a `journeys` output: the learner journeys with known answers, loaded beside
 * a `load-db` dataset in the same databases (disjoint orgs, course keys and user ids), as
 * Aspects 6.1.0 runs them.
 *
 * In this order it owns: the input checks (manifest and every file, read only); the guard (the
 * databases may hold a complete `load-db` dataset, but never an unfinished load, data no load
 * recorded, another journeys load, or rows of the journeys' course keys or user ids); a ledger
 * row of kind `journeys`; the event-sink tables; the dictionary reload; xAPI in small
 * time-ordered insert blocks (upstream's live-traffic advice) or through the configured
 * backend; the expected tables into `expected_db_name` (dropped and recreated); the refresh of
 * refreshable views, if the schema has any; `OPTIMIZE … FINAL`; verification of every table.
 */

import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { ClickHouse, ClickHouseTarget } from '../clickhouse/connect.ts';
import { IDENTIFIER_PATTERN, initSchema, optimizeFinal, type SchemaNames } from '../clickhouse/schema.ts';
import { describeError, VerificationError, XapiDbLoadError } from '../errors.ts';
import { TABLES, type TableKey } from '../formats/tables.ts';
import { expectedStructure, expectedTableDdl } from '../journeys/expected-ddl.ts';
import { EXPECTED_TABLES } from '../journeys/oracle.ts';
import { type Clock, systemClock } from '../util/clock.ts';
import { formatInt } from '../util/format.ts';
import { TargetNotEmptyError } from './guard.ts';
import { reloadExistingDictionaries } from './index.ts';
import { badInput, FILE_TABLE, type JourneysInput, type JourneysManifest, SINK_FILES } from './journeys-input.ts';
import { beginLoad, type LedgerEntry, ledgerTable, readLedger } from './ledger.ts';
import { countLoadedTables, LOADED_TABLE_OF } from './verify.ts';

// Reading the input lives in journeys-input.ts; its public names stay importable here.
export { type JourneysInput, type JourneysManifest, readJourneysInput } from './journeys-input.ts';

/** The ledger kind of a journeys load (kept in `config_summary`, so the ledger's DDL is unchanged). */
export const JOURNEYS_LEDGER_KIND = 'journeys';

/**
 * Insert settings of the xAPI file: blocks of 20,000 rows, one thread, so a learner's events
 * spread over many inserts as live traffic does (upstream's recipe, reference §6).
 */
export const LIVE_TRAFFIC_SETTINGS = Object.freeze({
  max_insert_block_size: '20000',
  min_insert_block_size_rows: '20000',
  min_insert_block_size_bytes: '0',
  max_insert_threads: '1',
  max_threads: '1',
  date_time_input_format: 'best_effort',
});

/** Where the xAPI file goes when it does not go straight into ClickHouse (Ralph, Vector). */
export interface XapiRoute {
  /** `backend` name, for logs and the ledger. */
  readonly backend: string;
  /** Sends every statement of the file (in file order); resolves with statements sent. */
  send(path: string, signal?: AbortSignal): Promise<number>;
  /** Whether the statements are in ClickHouse when `send` resolves (Vector: only once its agent ships them). */
  readonly landsInClickHouse: boolean;
}

export interface JourneysLoadOptions {
  /** Database of the expected tables (`expected_db_name`). @default "journeys" */
  readonly expectedDb?: string;
  /** Create the schema first (embedded engine and containers by default). */
  readonly initSchema?: boolean;
  /** `optimize_final`. @default true */
  readonly optimizeFinal?: boolean;
  /** The xAPI path when it is not a direct insert. @default direct inserts in live-traffic blocks */
  readonly xapi?: XapiRoute;
  readonly configured?: ClickHouseTarget;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

export interface JourneysTableResult {
  /** `db.table` */
  readonly target: string;
  readonly expected: number;
  readonly loaded: number;
}

export interface JourneysLoadResult {
  readonly source: string;
  readonly target: string;
  readonly tables: readonly JourneysTableResult[];
  readonly refreshedViews: readonly string[];
  readonly loadId: string;
  readonly datasetHash: string;
  readonly durationMs: number;
  readonly xapiBackend: string;
}

/** Identity of a journeys output: seed, `now` and the row counts (same config ⇒ same hash). */
export function journeysHash(manifest: JourneysManifest): string {
  const text = JSON.stringify({
    kind: JOURNEYS_LEDGER_KIND,
    seed: manifest.seed,
    now: manifest.now,
    rows: manifest.rows,
  });
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  return `journeys-${h.toString(16).padStart(16, '0')}`;
}

/** Whether a ledger row is a journeys load. */
export function isJourneysEntry(entry: LedgerEntry): boolean {
  try {
    return (JSON.parse(entry.configSummary) as { kind?: unknown }).kind === JOURNEYS_LEDGER_KIND;
  } catch {
    return false;
  }
}

/** Distinct values of one column of a gzipped CSV file (small files: courses, external ids). */
async function distinctColumn(path: string, column: number): Promise<string[]> {
  const text = await new Promise<string>((ok, fail) => {
    const chunks: Buffer[] = [];
    createReadStream(path)
      .pipe(createGunzip())
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => ok(Buffer.concat(chunks).toString('utf8')))
      .on('error', fail);
  });
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const value = line.split(',')[column];
    if (value !== undefined) out.add(value);
  }
  return [...out];
}

async function scalar(ch: ClickHouse, query: string, params: Record<string, unknown> = {}): Promise<number> {
  const rs = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string | number }>())[0]?.n ?? 0);
}

/**
 * Refuses a journeys load that could mix or double data; nothing written. The databases may
 * hold complete `load-db` datasets (the deliberate neighbour), nothing else.
 */
async function guardJourneys(ch: ClickHouse, names: SchemaNames, input: JourneysInput): Promise<void> {
  const ledger = await readLedger(ch, names);
  const where = `${names.xapiDb} / ${names.eventSinkDb} on ${ch.description}`;
  const advice =
    'Nothing was written. Load the journeys into fresh databases (db_name, event_sink_db_name), or reset them ' +
    'with `xapi-db-load load-db --reset` and load both datasets again.';
  const refuse = (what: string) => {
    throw new TargetNotEmptyError(`Refusing to load the journeys into ${where}: ${what}. ${advice}`, {
      kind: 'other',
      counts: Object.fromEntries(Object.keys(LOADED_TABLE_OF).map((k) => [k, 0])) as Record<TableKey, number>,
    });
  };
  const unfinished = ledger.find((e) => e.state !== 'complete');
  if (unfinished) {
    refuse(
      `load ${unfinished.loadId} (${isJourneysEntry(unfinished) ? 'journeys' : `dataset ${unfinished.datasetHash.slice(0, 16)}`}) ` +
        `is ${unfinished.state} at ${unfinished.phase} (${ledgerTable(names)})`,
    );
  }
  const journeys = ledger.find(isJourneysEntry);
  if (journeys) {
    refuse(
      `already loaded (complete): journeys ${journeys.datasetHash} were loaded on ${journeys.updatedAt} ` +
        `(${ledgerTable(names)}, load ${journeys.loadId}); loading them again would double every expected row`,
    );
  }
  const counts = await countLoadedTables(ch, names);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total > 0 && ledger.length === 0) {
    refuse(`the tables hold ${formatInt(total)} rows that no load recorded in ${ledgerTable(names)}`);
  }
  const courseKeys = await distinctColumn(input.paths.courses, 1);
  const userIds = (await distinctColumn(input.paths.external_ids, 3)).map(Number);
  const clashingCourses = await scalar(
    ch,
    `SELECT count() AS n FROM ${names.eventSinkDb}.course_overviews WHERE course_key IN {keys:Array(String)}`,
    { keys: courseKeys },
  );
  const clashingUsers = await scalar(
    ch,
    `SELECT count() AS n FROM ${names.eventSinkDb}.external_id WHERE user_id IN {ids:Array(Int32)}`,
    { ids: userIds },
  );
  if (clashingCourses > 0 || clashingUsers > 0) {
    refuse(
      `the databases already hold ${formatInt(clashingCourses)} course rows with the journeys' course keys and ` +
        `${formatInt(clashingUsers)} learner ids of theirs (set journeys.org_prefix and first_user_id apart from load-db's)`,
    );
  }
}

/** Refreshable materialized views of the schema's databases (none in aspects-dbt v7.0.0). */
export async function refreshableViews(ch: ClickHouse, names: SchemaNames): Promise<string[]> {
  let rows: Array<{ full: string }>;
  try {
    const rs = await ch.client.query({
      query:
        "SELECT concat(database, '.', view) AS full FROM system.view_refreshes WHERE database IN {dbs:Array(String)} ORDER BY full",
      query_params: { dbs: [names.eventSinkDb, names.xapiDb, names.reportingDb] },
      format: 'JSONEachRow',
    });
    rows = await rs.json<{ full: string }>();
  } catch (error) {
    // An engine without refreshable views has no such table: nothing to refresh.
    if (/UNKNOWN_TABLE|doesn't exist|does not exist/i.test(describeError(error))) return [];
    throw error;
  }
  return rows.map((r) => r.full);
}

function checkedDb(value: string, key: string): string {
  if (!IDENTIFIER_PATTERN.test(value)) {
    throw badInput(
      key,
      `${key}: got ${JSON.stringify(value)}; expected a database name matching ${IDENTIFIER_PATTERN}`,
    );
  }
  return value;
}

/** Streams one gzipped file into `table` (columns by name, so the table's order does not matter). */
async function insertFile(
  ch: ClickHouse,
  table: string,
  path: string,
  format: 'CSV' | 'CSVWithNames',
  columns: readonly string[],
  settings: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  await ch.client.insert({
    table,
    values: createReadStream(path).pipe(createGunzip()),
    format,
    columns: columns as [string, ...string[]],
    clickhouse_settings: settings,
    ...(signal ? { abort_signal: signal } : {}),
  });
}

/**
 * Loads a journeys output beside whatever complete datasets the databases hold: guarded,
 * recorded in the ledger (kind `journeys`), verified table by table.
 *
 * @example
 * const input = await readJourneysInput('logs/journeys_oracle');
 * const result = await loadJourneys(input, { clickhouse: ch, names }, { expectedDb: 'journeys' });
 */
export async function loadJourneys(
  input: JourneysInput,
  target: { readonly clickhouse: ClickHouse; readonly names: SchemaNames },
  options: JourneysLoadOptions = {},
): Promise<JourneysLoadResult> {
  const { clickhouse: ch, names } = target;
  const log = options.log ?? (() => {});
  const clock = options.clock ?? systemClock;
  const signal = options.signal;
  const startedAt = clock.now();
  const expectedDb = checkedDb(options.expectedDb ?? 'journeys', 'expected_db_name');
  const hash = journeysHash(input.manifest);
  const backend = options.xapi?.backend ?? 'clickhouse';

  if (options.initSchema ?? ch.kind !== 'url') {
    log(`Creating the Aspects schema (if missing) in ${names.xapiDb}, ${names.eventSinkDb}, ${names.reportingDb}`);
    await initSchema(ch, names);
  }
  await guardJourneys(ch, names, input);
  const before = await countLoadedTables(ch, names);
  const record = await beginLoad(
    ch,
    names,
    {
      datasetHash: hash,
      configSummary: JSON.stringify({
        kind: JOURNEYS_LEDGER_KIND,
        seed: input.manifest.seed,
        now: input.manifest.now,
        backend,
        input: input.dir,
        expected_db_name: expectedDb,
      }),
    },
    log,
  );
  const gained = async () => {
    const after = await countLoadedTables(ch, names);
    return Object.fromEntries(
      Object.values(FILE_TABLE)
        .map((key) => [LOADED_TABLE_OF[key], after[key] - before[key]] as const)
        .filter(([, rows]) => rows !== 0),
    );
  };
  let phase = 'event-sink tables';
  try {
    await record.phase(phase);
    for (const file of SINK_FILES.filter((f) => f !== 'xapi')) {
      signal?.throwIfAborted();
      const key = FILE_TABLE[file];
      const table = `${names.eventSinkDb}.${TABLES[key].table}`;
      log(`Loading ${input.manifest.files[file]} into ${table}`);
      await insertFile(
        ch,
        table,
        input.paths[file],
        'CSV',
        TABLES[key].columns.map((c) => c.name),
        {
          date_time_input_format: 'best_effort',
        },
        signal,
      );
    }
    phase = 'dictionary reload';
    await record.phase(phase, await gained());
    await reloadExistingDictionaries(ch, names);

    phase = `xAPI (${backend})`;
    await record.phase(phase);
    const raw = `${names.xapiDb}.${names.rawTable}`;
    const distinctBefore = await scalar(ch, `SELECT uniqExact(event_id) AS n FROM ${raw}`);
    if (options.xapi) {
      log(`Sending ${input.manifest.files.xapi} through ${backend} (in file order)`);
      await options.xapi.send(input.paths.xapi, signal);
    } else {
      log(
        `Loading ${input.manifest.files.xapi} into ${raw} in insert blocks of 20,000 rows` +
          (input.manifest.sortEvents ? ' (the file is in time order)' : ' (file order: each learner in time order)'),
      );
      await insertFile(
        ch,
        raw,
        input.paths.xapi,
        'CSV',
        ['event_id', 'emission_time', 'event'],
        LIVE_TRAFFIC_SETTINGS,
        signal,
      );
    }

    phase = 'expected tables';
    await record.phase(phase, await gained());
    await ch.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${expectedDb}` });
    for (const table of EXPECTED_TABLES) {
      signal?.throwIfAborted();
      // Recreated: the expected tables describe exactly one journeys dataset.
      await ch.client.command({ query: `DROP TABLE IF EXISTS ${expectedDb}.${table}` });
      await ch.client.command({ query: expectedTableDdl(expectedDb, table) });
      log(`Loading ${input.manifest.files[table]} into ${expectedDb}.${table}`);
      const columns = expectedStructure(table)
        .split(', ')
        .map((c) => c.split(' ')[0] as string);
      await insertFile(ch, `${expectedDb}.${table}`, input.paths[table], 'CSVWithNames', columns, {}, signal);
    }

    phase = 'refreshable views';
    await record.phase(phase);
    const views = await refreshableViews(ch, names);
    for (const view of views) {
      log(`Refreshing ${view}`);
      await ch.client.command({ query: `SYSTEM REFRESH VIEW ${view}` });
      await ch.client.command({ query: `SYSTEM WAIT VIEW ${view}` });
    }
    if (options.optimizeFinal ?? true) {
      phase = 'OPTIMIZE … FINAL';
      await record.phase(phase);
      await optimizeFinal(ch, names);
    }

    phase = 'verification';
    await record.phase(phase);
    const after = await countLoadedTables(ch, names);
    const tables: JourneysTableResult[] = SINK_FILES.filter((f) => f !== 'xapi').map((file) => {
      const key = FILE_TABLE[file];
      return {
        target: `${names.eventSinkDb}.${TABLES[key].table}`,
        expected: input.manifest.rows[file] ?? 0,
        loaded: after[key] - before[key],
      };
    });
    // Duplicates (same id and time) are one statement: the raw table keeps one of each.
    const distinctXapi = (input.manifest.rows.xapi ?? 0) - (input.manifest.edgeCases.duplicate_events ?? 0);
    if (options.xapi?.landsInClickHouse !== false) {
      tables.push({
        target: `${raw} (distinct event ids)`,
        expected: distinctXapi,
        loaded: (await scalar(ch, `SELECT uniqExact(event_id) AS n FROM ${raw}`)) - distinctBefore,
      });
    }
    for (const table of EXPECTED_TABLES) {
      tables.push({
        target: `${expectedDb}.${table}`,
        expected: input.manifest.rows[table] ?? 0,
        loaded: await scalar(ch, `SELECT count() AS n FROM ${expectedDb}.${table}`),
      });
    }
    const wrong = tables.filter((t) => t.expected !== t.loaded);
    if (wrong.length > 0) {
      throw new VerificationError(
        `Journeys load verification failed on ${ch.description}: ` +
          wrong.map((t) => `${t.target} expected ${formatInt(t.expected)} rows, has ${formatInt(t.loaded)}`).join('; '),
      );
    }
    log(`Verified: every table holds the rows expected (${tables.length} tables)`);
    await record.finish('complete', await gained());
    return {
      source: input.dir,
      target: ch.description,
      tables,
      refreshedViews: views,
      loadId: record.loadId,
      datasetHash: hash,
      durationMs: clock.now() - startedAt,
      xapiBackend: backend,
    };
  } catch (error) {
    const interrupted = signal?.aborted === true;
    let filled: Record<string, number> = {};
    try {
      filled = await gained();
    } catch (countError) {
      log(`Could not count what the load put in: ${ch.redact(describeError(countError))}`);
    }
    const reason = ch.redact(describeError(error)).split('\n')[0] ?? '';
    await record.finish(interrupted ? 'interrupted' : 'failed', filled, reason);
    if (error instanceof XapiDbLoadError) throw error;
    throw new XapiDbLoadError(
      `Loading the journeys failed at ${phase} on ${ch.description}: ${reason}. ${ledgerTable(names)} marks load ${record.loadId} failed.`,
      { cause: error },
    );
  }
}
