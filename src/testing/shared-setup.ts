/**
 * What a test runner's global setup does, runner-neutral: decide the provider, make sure the
 * dataset is in the cache, and — for servers — seed once. The result is plain data that crosses
 * process boundaries (Vitest `provide`, a JSON file for Jest); live handles stay here.
 *
 * The embedded engine is special: chdb lives inside ONE process, and test files run in other
 * processes (Vitest forks, Jest workers). So for `embedded` the setup only prepares the cache
 * entry; each test file then loads those files into its own in-process engine (a bulk `file()`
 * load, no generation), which also gives every file an isolated copy it may write to.
 */

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cachedDataset } from '../cache/cached-dataset.ts';
import { LocalDatasetCache, type LocalDatasetCacheOptions } from '../cache/dataset-cache.ts';
import { createClickHouse } from '../clickhouse/connect.ts';
import type { LoadedTable } from '../clickhouse/counts.ts';
import { dropSchema } from '../clickhouse/schema.ts';
import { datasetHash } from '../config/dataset-hash.ts';
import type { Config } from '../config/types.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { TABLE_KEYS, TABLES } from '../formats/tables.ts';
import { copyLoadedSchema } from '../load/template-copy.ts';
import { chooseProvider, type ResolvedProviderName, urlTargetFromString } from './providers.ts';
import {
  type AspectsDatabases,
  resolveSeedConfig,
  type SeedAspectsOptions,
  type SeedConfigInput,
  type SeededAspects,
  type ServerConnection,
  seedAspects,
  withAspectsVersion,
  withSuffix,
} from './seed.ts';

const run = promisify(execFile);

/** Environment variable naming the dataset of the zero-config setups: a preset or a YAML path. */
export const SEED_ENV = 'XAPI_DB_LOAD_SEED';

/** Environment variable with the `aspectsVersion` of the zero-config setups (e.g. `7.0.0`). */
export const ASPECTS_VERSION_ENV = 'XAPI_DB_LOAD_ASPECTS_VERSION';

/** Options of the zero-config setups, from the environment. */
export function zeroConfigOptions(env: NodeJS.ProcessEnv = process.env): GlobalSeedOptions {
  const version = env[ASPECTS_VERSION_ENV];
  return version ? { aspectsVersion: version } : {};
}

/** Serializable description of a seeded run, handed from the global setup to test files. */
export interface ProvidedAspects {
  readonly provider: ResolvedProviderName;
  /** Dataset hash (64 hex digits). */
  readonly datasetHash: string;
  /** Rows per loaded table. */
  readonly counts: Readonly<Record<LoadedTable, number>>;
  readonly databases: AspectsDatabases;
  /** How to reach the seeded server; `null` for `embedded` (each test file loads its own copy). */
  readonly connection: ServerConnection | null;
  /** The validated config (plain data), so a test file can load the same dataset. */
  readonly config: Config;
  /** Cache directory holding the dataset entry. */
  readonly cacheDir: string;
}

export interface GlobalSeed {
  readonly provided: ProvidedAspects;
  /** Closes the server connection and stops containers (nothing to do for embedded). */
  close(): Promise<void>;
}

/** Options of the global setups: {@link SeedAspectsOptions} without per-call hooks. */
export type GlobalSeedOptions = Omit<SeedAspectsOptions, 'cache'> & { readonly cache?: LocalDatasetCacheOptions };

/** Runs in the test runner's main process. */
export async function globalSeed(input: SeedConfigInput, options: GlobalSeedOptions = {}): Promise<GlobalSeed> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const config = withAspectsVersion(await resolveSeedConfig(input), options.aspectsVersion);
  const cache = new LocalDatasetCache({ log, ...options.cache });
  const choice = await chooseProvider(config, options);
  if (choice.name === 'embedded') {
    log(`xapi-db-load: ${choice.reason}; each test file clones a loaded snapshot (built once) into its own engine`);
    const dataset = await cachedDataset(config, {
      cache,
      log,
      ...(options.remoteCache ? { remote: options.remoteCache } : {}),
      ...(options.generate ? { generate: options.generate } : {}),
    });
    const counts = Object.fromEntries(
      TABLE_KEYS.map((k) => [k === 'xapi' ? 'xapi_events_all' : TABLES[k].table, dataset.rows[k]]),
    ) as Record<LoadedTable, number>;
    // Injected hooks cannot cross a process boundary: then the first test file builds it.
    if (options.snapshot !== false && !options.generate && !options.remoteCache) {
      await buildSnapshotInChild(config, cache.dir, log);
    }
    return {
      provided: {
        provider: 'embedded',
        datasetHash: datasetHash(config).hex,
        counts,
        databases: { xapi: config.dbName, eventSink: config.dbEventSinkName, reporting: config.dbReportingName },
        connection: null,
        config: plain(config),
        cacheDir: cache.dir,
      },
      close: async () => {},
    };
  }
  const seeded: SeededAspects = await seedAspects(config, {
    ...options,
    provider: choice.name,
    cache,
    log,
  });
  return {
    provided: {
      provider: seeded.provider,
      datasetHash: seeded.datasetHash,
      counts: { ...seeded.counts },
      databases: seeded.connection.databases,
      connection: seeded.connection.kind === 'server' ? seeded.connection : null,
      config: plain(config),
      cacheDir: cache.dir,
    },
    close: () => seeded.close(),
  };
}

/**
 * Builds the loaded-database snapshot of `config` in a child process (a hit there is a no-op
 * apart from the check), so test files start from a hit. The child runs this module's sibling
 * from wherever this module was loaded (`src/` under a TypeScript-aware runner, else `lib/`).
 */
async function buildSnapshotInChild(config: Config, cacheDir: string, log: (line: string) => void): Promise<void> {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const script = fileURLToPath(new URL(`./snapshot-build-child.${ext}`, import.meta.url));
  try {
    const { stderr } = await run(process.execPath, [script, JSON.stringify(config), cacheDir], {
      maxBuffer: 1 << 24,
      env: { ...process.env, XAPI_DB_LOAD_CACHE_DIR: '' },
    });
    for (const line of stderr.split('\n')) if (line.trim() !== '') log(line);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new XapiDbLoadError(
      `Cannot build the loaded-database snapshot in a child process (${script}): ${describeError(error)}${stderr ? `\n${stderr.trim()}` : ''}`,
      { cause: error },
    );
  }
}

/** A structured-clone-safe copy (the config is deeply frozen; clones need not be). */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Options of {@link seedFromProvided}. */
export interface SeedFromProvidedOptions {
  /**
   * For servers: a private copy of the globally seeded databases in `<db>_<suffix>` (schema created,
   * parts attached with `ATTACH PARTITION … FROM`, nothing reloaded; dropped on close or
   * `await using`) instead of sharing them. Embedded copies are always private to the test file.
   * @default false
   */
  readonly isolate?: boolean;
  readonly log?: (line: string) => void;
}

/**
 * In a test file: a {@link SeededAspects} for what the global setup provided. Embedded: loads the
 * cached dataset into this process's engine. Servers: connects (and with `isolate`, loads a copy).
 */
export async function seedFromProvided(
  provided: ProvidedAspects,
  options: SeedFromProvidedOptions = {},
): Promise<SeededAspects> {
  const log = options.log ?? (() => {});
  const cache = { dir: provided.cacheDir };
  if (provided.provider === 'embedded' || provided.connection === null) {
    return seedAspects(provided.config, { provider: 'embedded', cache, log });
  }
  const url = withCredentials(provided.connection);
  if (options.isolate) {
    const suffix = `f${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    return isolatedCopy(provided, url, suffix, log);
  }
  return connectOnly(provided, url);
}

/**
 * `seeded` whose `close()` and `await using` both run `drop` first, then disconnect (the private
 * copy of `isolate: true` used to leak under `await using`, which only disconnected).
 */
export function dropOnClose(seeded: SeededAspects, drop: () => Promise<void>): SeededAspects {
  const close = async () => {
    try {
      await drop();
    } finally {
      await seeded.close();
    }
  };
  return { ...seeded, close, [Symbol.asyncDispose]: close };
}

/**
 * A private copy of the globally seeded databases under `<db>_<suffix>`: the schema is created
 * and the seeded parts attached (`copyLoadedSchema`), so nothing is loaded again and no
 * materialized view re-runs. `close()` and `await using` both drop the copy.
 */
async function isolatedCopy(
  provided: ProvidedAspects,
  url: string,
  suffix: string,
  log: (line: string) => void,
): Promise<SeededAspects> {
  const shared = await connectOnly(provided, url);
  const names = withSuffix(shared.names, suffix);
  const started = performance.now();
  try {
    const { counts } = await copyLoadedSchema(shared.clickhouse, shared.names, names, provided.counts);
    const totalMs = performance.now() - started;
    log(
      `xapi-db-load: private copy ${names.xapiDb}, ${names.eventSinkDb}, ${names.reportingDb} made in ${Math.round(totalMs)} ms`,
    );
    const close = async (): Promise<void> => {
      try {
        await dropSchema(shared.clickhouse, names);
      } finally {
        await shared.close();
      }
    };
    return {
      ...shared,
      names,
      counts,
      connection: {
        ...(provided.connection as ServerConnection),
        databases: { xapi: names.xapiDb, eventSink: names.eventSinkDb, reporting: names.reportingDb },
      },
      timings: { datasetMs: 0, loadMs: totalMs, totalMs },
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await dropSchema(shared.clickhouse, names).catch((e) =>
      log(`xapi-db-load: dropping the failed copy ${names.xapiDb} failed: ${describeError(e)}`),
    );
    await shared.close();
    throw error;
  }
}

function withCredentials(connection: ServerConnection): string {
  const url = new URL(connection.url);
  url.username = encodeURIComponent(connection.username);
  url.password = encodeURIComponent(connection.password);
  return url.toString();
}

async function connectOnly(provided: ProvidedAspects, url: string): Promise<SeededAspects> {
  const ch = await createClickHouse(urlTargetFromString(url, provided.databases.xapi));
  const close = () => ch.close();
  return {
    client: ch.client,
    clickhouse: ch,
    provider: provided.provider,
    connection: provided.connection as ServerConnection,
    names: {
      xapiDb: provided.databases.xapi,
      eventSinkDb: provided.databases.eventSink,
      reportingDb: provided.databases.reporting,
      rawTable: provided.config.eventRawTableName,
      // The seeded schema's DDL: a private copy must be created the same way.
      ttl: provided.config.ttl,
      aspectsVersion: provided.config.aspectsVersion,
    },
    datasetHash: provided.datasetHash,
    counts: provided.counts,
    cacheHit: true,
    snapshot: null,
    datasetDir: null,
    timings: { datasetMs: 0, loadMs: 0, totalMs: 0 },
    close,
    [Symbol.asyncDispose]: close,
  };
}
