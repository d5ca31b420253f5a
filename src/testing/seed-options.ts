/**
 * What `seedAspects` takes and gives: the config input (preset, file, object), its options, the
 * handle's types, and the helpers that resolve them.
 */

import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import type { DatasetGenerator } from '../cache/cached-dataset.ts';
import type { DatasetCacheStore, LocalDatasetCache, LocalDatasetCacheOptions } from '../cache/dataset-cache.ts';
import type { ClickHouse } from '../clickhouse/connect.ts';
import type { LoadedTable, TableCounts } from '../clickhouse/counts.ts';
import type { SchemaNames } from '../clickhouse/schema.ts';
import { loadConfig, resolveConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { aspectsVersionValue, describeValue, INVALID } from '../config/values.ts';
import { ConfigError } from '../errors.ts';
import { TABLES, type TableKey } from '../formats/tables.ts';
import { type JourneysLoadResult, loadJourneys, readJourneysInput } from '../load/journeys.ts';
import { type CheckKnownAnswersOptions, checkKnownAnswers, type KnownAnswersResult } from '../reports/known-answers.ts';
import type { QueryProfile } from '../reports/profile.ts';
import type { ChooseProviderOptions, ProviderName, ResolvedProviderName } from './providers.ts';

/** Dataset presets shipped in `configs/presets/`. */
export const PRESETS = ['tiny', 'small', 'medium'] as const;
export type PresetName = (typeof PRESETS)[number];

/** Directory of the preset files (`configs/presets/`, two levels above `src/testing` and `lib/testing`). */
export const PRESETS_DIR = new URL('../../configs/presets/', import.meta.url);

/** A preset name, a path to a YAML config file, a YAML-shaped object, or a resolved `Config`. */
export type SeedConfigInput = PresetName | string | Readonly<Record<string, unknown>> | Config;

export interface SeedAspectsOptions extends Pick<ChooseProviderOptions, 'probeDocker' | 'env'> {
  /**
   * Where to seed. `auto` = `XAPI_DB_LOAD_CLICKHOUSE_URL` when set, else a container when Docker
   * answers, else embedded.
   * @default process.env.XAPI_DB_LOAD_PROVIDER ?? "auto"
   */
  readonly provider?: ProviderName;
  /** External server, `http(s)://user:password@host:port`. @default env XAPI_DB_LOAD_CLICKHOUSE_URL, then the config's db_* keys */
  readonly url?: string;
  /** Data directory of the embedded engine (one per process). @default ":memory:" */
  readonly embeddedPath?: string;
  /** ClickHouse image of the container provider. @default CLICKHOUSE_IMAGE */
  readonly image?: string;
  /**
   * Appended to the three database names (`xapi_<suffix>`, …): an isolated copy on a shared
   * server, e.g. one per test file. Letters, digits and `_`.
   */
  readonly databaseSuffix?: string;
  /**
   * Drop the databases first when they already exist. Off by default for `external` (a server
   * you own); on for `embedded` and `container`, which are throw-away.
   */
  readonly reset?: boolean;
  /** The local dataset cache, its options, or `false` to generate into a temporary directory. @default new LocalDatasetCache() */
  readonly cache?: LocalDatasetCache | LocalDatasetCacheOptions | false;
  /** A second-level store consulted on a local miss (e.g. the GitHub Actions cache). */
  readonly remoteCache?: DatasetCacheStore;
  /** Replaces the generator (tests count calls with it). @default generateCsvDataset */
  readonly generate?: DatasetGenerator;
  /** One line per step (provider choice, cache hit or miss, load time). @default lines to stderr */
  readonly log?: (line: string) => void;
  /**
   * Embedded engine: start from a loaded-database snapshot (kept in `<cache dir>/snapshots`,
   * built on first use) cloned into a private data directory, instead of creating the schema and
   * loading the dataset. Used only when this process has no embedded engine open yet, no
   * `embeddedPath` is given and `cache` is not `false`; otherwise the dataset is loaded.
   * @default true
   */
  readonly snapshot?: boolean;
  /**
   * The aspects-dbt release of the schema (`"7.0.0"`, `"8.0.0"`, with or without the "v");
   * overrides the config's `aspects_version`. @default the config's, else the newest
   */
  readonly aspectsVersion?: string;
}

/** The three Aspects databases of a seeded schema. */
export interface AspectsDatabases {
  readonly xapi: string;
  readonly eventSink: string;
  readonly reporting: string;
}

/** How code under test reaches a seeded server. Plain data: safe to `provide`, log-safe only without `password`. */
export interface ServerConnection {
  readonly kind: 'server';
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly databases: AspectsDatabases;
  /** Ralph's statements endpoint and login when the stack runs Ralph. */
  readonly ralph?: { readonly url: string; readonly username: string; readonly password: string };
}

/**
 * The embedded engine has no URL: it lives inside the process that seeded it (chdb binds one data
 * directory per process). Code under test must run in that process and use the handle's
 * `client`, or load the same cache entry itself (what the Vitest fixture does per test file).
 */
export interface EmbeddedConnection {
  readonly kind: 'embedded';
  readonly url: null;
  /** Data directory, or `:memory:`. */
  readonly path: string;
  readonly databases: AspectsDatabases;
}

export type AspectsConnection = ServerConnection | EmbeddedConnection;

/** A seeded Aspects database. `await using` (or `close()`) disconnects and stops containers. */
export interface SeededAspects extends AsyncDisposable {
  /** Connected `@clickhouse/client`. */
  readonly client: ClickHouseClient;
  /** The connection handle (description, server version). */
  readonly clickhouse: ClickHouse;
  readonly provider: ResolvedProviderName;
  readonly connection: AspectsConnection;
  readonly names: SchemaNames;
  /** Dataset hash (64 hex digits); the first 16 name the cache entry. */
  readonly datasetHash: string;
  /** Rows per loaded table, counted after the load (verified equal to the dataset's). */
  readonly counts: TableCounts;
  /** `true` when the dataset came from a cache (local or remote) without generating. */
  readonly cacheHit: boolean;
  /** Embedded: `hit` = cloned from an existing snapshot, `built` = snapshot built now, then cloned; `null` = loaded without one. */
  readonly snapshot: 'hit' | 'built' | null;
  /** The cache entry directory holding the eight `.csv.gz` files (`null` with `cache: false`). */
  readonly datasetDir: string | null;
  readonly timings: { readonly datasetMs: number; readonly loadMs: number; readonly totalMs: number };
  /**
   * The plan profile of a query on these databases: granules and parts selected per table, rows
   * the engine plans to read, which sort keys pruned; on a server also rows/bytes read and peak
   * memory from `system.query_log`. Bound values go in `params` (`{name:Type}` placeholders).
   *
   * @example
   * const p = await aspects.profile(
   *   `SELECT count() FROM ${aspects.names.xapiDb}.problem_events WHERE course_key = {course:String}`,
   *   { course: 'course-v1:Org0+…' },
   * );
   * expect(p.reads[0]?.prunedBy).toContain('course_key');
   */
  profile(sql: string, params?: Readonly<Record<string, unknown>>): Promise<QueryProfile>;
  close(): Promise<void>;
  /**
   * Loads a `journeys` output (the learner journeys with known answers) beside this dataset, in
   * the same databases, through the load stage (guarded: once per handle's databases).
   * @example
   * await aspects.loadJourneys('logs/journeys_oracle');
   */
  loadJourneys(dir: string, options?: { readonly expectedDb?: string }): Promise<JourneysLoadResult>;
  /**
   * For every course of the loaded journeys, runs the chart queries and compares every bar with
   * the known answers (exact; a missing bar is 0). Resolves with the verdict; never throws on a
   * difference (`result.ok`, `result.differences`).
   * @example
   * const result = await aspects.checkKnownAnswers();
   * expect(result.differences.filter((d) => d.chart === 'enrollments')).toEqual([]);
   */
  checkKnownAnswers(options?: CheckKnownAnswersOptions): Promise<KnownAnswersResult>;
}

/** The handle's known-answers methods, bound to its connection and databases. */
export function knownAnswerMethods(
  ch: ClickHouse,
  names: SchemaNames,
): Pick<SeededAspects, 'loadJourneys' | 'checkKnownAnswers'> {
  return {
    loadJourneys: async (dir, options = {}) =>
      loadJourneys(
        await readJourneysInput(dir),
        { clickhouse: ch, names },
        { initSchema: false, ...(options.expectedDb ? { expectedDb: options.expectedDb } : {}) },
      ),
    checkKnownAnswers: (options = {}) => checkKnownAnswers(ch, names, options),
  };
}

/** Resolves a {@link SeedConfigInput} to a validated `Config`. */
export async function resolveSeedConfig(input: SeedConfigInput): Promise<Config> {
  if (typeof input === 'string') {
    if ((PRESETS as readonly string[]).includes(input)) {
      return loadConfig(fileURLToPath(new URL(`${input}.yaml`, PRESETS_DIR)));
    }
    if (!/\.ya?ml$/i.test(input) && !input.includes('/') && !input.includes('\\')) {
      throw new ConfigError([
        {
          key: 'config',
          message: `config: got "${input}"; expected a preset (${PRESETS.join(', ')}), a path to a YAML file or an object`,
        },
      ]);
    }
    return loadConfig(input);
  }
  if ('numXapiBatches' in input && 'courseSizes' in input) return input as Config;
  return resolveConfig(input, { source: 'seedAspects config' });
}

/**
 * `config` with the `aspectsVersion` option applied (checked as the `aspects_version` key is).
 *
 * @example
 * const v7 = withAspectsVersion(await resolveSeedConfig('tiny'), 'v7.0.0'); // v7.aspectsVersion === '7.0.0'
 */
export function withAspectsVersion(config: Config, version: string | undefined): Config {
  if (version === undefined) return config;
  const parsed = aspectsVersionValue.parse(version);
  if (parsed === INVALID) {
    const hint = aspectsVersionValue.hint?.(version);
    throw new ConfigError([
      {
        key: 'aspectsVersion',
        message: `aspectsVersion: got ${describeValue(version)}; expected ${aspectsVersionValue.expected}${hint ? ` (${hint})` : ''}`,
      },
    ]);
  }
  return parsed === config.aspectsVersion ? config : Object.freeze({ ...config, aspectsVersion: parsed });
}

/** The count key of a generated table. */
function _loadedTable(key: TableKey): LoadedTable {
  return (key === 'xapi' ? 'xapi_events_all' : TABLES[key].table) as LoadedTable;
}

/** `names` with `_<suffix>` appended to the three databases (unchanged for no suffix). */
export function withSuffix(names: SchemaNames, suffix: string | undefined): SchemaNames {
  if (suffix === undefined || suffix === '') return names;
  if (!/^[A-Za-z0-9_]+$/.test(suffix)) {
    throw new ConfigError([
      { key: 'databaseSuffix', message: `databaseSuffix: got "${suffix}"; expected letters, digits and _` },
    ]);
  }
  return {
    ...names,
    xapiDb: `${names.xapiDb}_${suffix}`,
    eventSinkDb: `${names.eventSinkDb}_${suffix}`,
    reportingDb: `${names.reportingDb}_${suffix}`,
    rawTable: names.rawTable,
  };
}
