/**
 * `seedAspects(config)`: one call gives a test a ClickHouse with the Aspects schema and a known
 * dataset in it. The dataset comes from the cache when its hash is there (bulk load, no
 * generation); otherwise it is generated into the cache first, then loaded.
 */

import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CachedDataset, cachedDataset, generateCsvDataset } from '../cache/cached-dataset.ts';
import { LocalDatasetCache } from '../cache/dataset-cache.ts';
import { type ClickHouse, createClickHouse, resolveUrlTarget, type UrlTarget } from '../clickhouse/connect.ts';
import { countRows, LOADED_TABLES, type TableCounts } from '../clickhouse/counts.ts';
import { embeddedPathInUse } from '../clickhouse/embedded.ts';
import {
  dropSchema,
  IDENTIFIER_PATTERN,
  initSchema,
  type SchemaNames,
  schemaNamesFromConfig,
} from '../clickhouse/schema.ts';
import { datasetHash } from '../config/dataset-hash.ts';
import type { Config } from '../config/types.ts';
import { ConfigError, describeError, LedgerStateError } from '../errors.ts';
import { planDataset } from '../generate/dataset.ts';
import { buildWorld } from '../generate/world.ts';
import { describeTargetState, loadDataset, TargetNotEmptyError } from '../load/index.ts';
import { EmbeddedSnapshots, removeClone, SnapshotDamagedError, snapshotKey } from '../load/snapshot.ts';
import { profileQuery } from '../reports/profile.ts';
import { AspectsStack, type StartedAspectsStack } from './aspects-stack.ts';
import { chooseProvider, type ResolvedProviderName } from './providers.ts';

// The input, options and handle types live in seed-options.ts; their names stay importable here.
export * from './seed-options.ts';

import {
  type AspectsConnection,
  type AspectsDatabases,
  knownAnswerMethods,
  resolveSeedConfig,
  type SeedAspectsOptions,
  type SeedConfigInput,
  type SeededAspects,
  withAspectsVersion,
  withSuffix,
} from './seed-options.ts';

function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Seeds a ClickHouse with the Aspects schema and a reproducible dataset.
 *
 * @example
 * import { seedAspects } from 'xapi-db-load';
 *
 * await using aspects = await seedAspects('tiny');
 * const rs = await aspects.client.query({
 *   query: `SELECT count() AS n FROM ${aspects.names.xapiDb}.enrollment_events`,
 *   format: 'JSONEachRow',
 * });
 * console.log(aspects.counts.xapi_events_all, await rs.json()); // 8100 [ { n: '…' } ]
 */
export async function seedAspects(input: SeedConfigInput, options: SeedAspectsOptions = {}): Promise<SeededAspects> {
  const started = performance.now();
  const log = options.log ?? stderrLine;
  const config = withAspectsVersion(await resolveSeedConfig(input), options.aspectsVersion);
  const names = withSuffix(schemaNamesFromConfig(config, config.dbReportingName), options.databaseSuffix);
  for (const name of [names.xapiDb, names.eventSinkDb, names.reportingDb]) {
    if (!IDENTIFIER_PATTERN.test(name))
      throw new ConfigError([{ key: 'db_name', message: `invalid database ${name}` }]);
  }
  const choice = await chooseProvider(config, options);
  log(`xapi-db-load: ${choice.reason}`);
  const hash = datasetHash(config);
  if (choice.name === 'embedded' && snapshotEligible(options)) {
    return seedFromSnapshot({ config, names, hash: hash.hex, options, log, started });
  }
  if (choice.name === 'embedded' && options.embeddedPath === undefined && snapshotSeedInFlight) {
    // A concurrent seed of this process is opening the engine on its copy: wait, then share that
    // engine (its own failure, if any, is reported to its own caller).
    await snapshotSeedInFlight.catch(() => {});
  }

  // 1. the dataset files
  let dataset: CachedDataset | null = null;
  let scratch: string | null = null;
  const datasetStart = performance.now();
  if (options.cache === false) {
    scratch = await mkdtemp(join(tmpdir(), 'xapi-db-load-seed-'));
    await (options.generate ?? generateCsvDataset)(config, scratch);
  } else {
    const cache =
      options.cache instanceof LocalDatasetCache ? options.cache : new LocalDatasetCache({ log, ...options.cache });
    dataset = await cachedDataset(config, {
      cache,
      log,
      ...(options.remoteCache ? { remote: options.remoteCache } : {}),
      ...(options.generate ? { generate: options.generate } : {}),
    });
    log(
      `xapi-db-load: dataset ${hash.short} ${dataset.source === 'generated' ? 'generated into' : `restored from the ${dataset.source} cache,`} ${dataset.entry.dir}`,
    );
  }
  const datasetMs = performance.now() - datasetStart;
  const dir = dataset?.entry.dir ?? (scratch as string);

  // 2. the server, schema and load
  let stack: StartedAspectsStack | null = null;
  let ch: ClickHouse | null = null;
  const loadStart = performance.now();
  try {
    if (choice.name === 'embedded') {
      // chdb binds one data directory per process: a second seed shares the one already open.
      const path = options.embeddedPath ?? embeddedPathInUse() ?? undefined;
      ch = await createClickHouse(path ? { kind: 'embedded', path } : { kind: 'embedded' });
    } else if (choice.name === 'external') {
      ch = await createClickHouse(choice.target as NonNullable<typeof choice.target>);
    } else {
      let builder = new AspectsStack();
      if (options.image) builder = builder.withImage(options.image);
      if (config.backend === 'ralph') {
        builder = builder.withRalph(
          async (client) => {
            await using pre = await createClickHouse(urlTarget(client, names.xapiDb));
            await initSchema(pre, names);
          },
          names.xapiDb,
          names.rawTable,
        );
      }
      if (config.csvOutputDestination?.startsWith('s3://') || config.loadFromS3After) builder = builder.withMinio();
      stack = await builder.start();
      ch = await createClickHouse(urlTarget(stack.getClientOptions(), names.xapiDb));
    }
    const reset = options.reset ?? choice.name !== 'external';
    if (reset) await dropSchema(ch, names);
    const plan = dataset?.plan ?? planDataset(buildWorld(config));
    // The load stage names databases from the config: point it at ours.
    const named: Config = {
      ...config,
      dbName: names.xapiDb,
      dbEventSinkName: names.eventSinkDb,
      dbReportingName: names.reportingDb,
    };
    try {
      await loadDataset(
        // A server cannot read this machine's cache: the files are streamed to it.
        { kind: 'csv', source: { kind: 'local', directory: dir, from: 'dataset cache' }, stream: true },
        { clickhouse: ch, names },
        { config: named, plan, initSchema: true },
      );
    } catch (error) {
      if (!(error instanceof TargetNotEmptyError)) throw error;
      const rows = 'counts' in error.state ? Object.values(error.state.counts).reduce((a, b) => a + b, 0) : 0;
      throw new LedgerStateError(
        `The databases ${names.xapiDb}, ${names.eventSinkDb} on ${ch.description} already hold ${rows} rows; ` +
          'seeding again would duplicate them. Pass `reset: true` to drop them first, or `databaseSuffix` for a separate copy ' +
          `(${describeTargetState(error.state, names)})`,
        error.state,
        { cause: error },
      );
    }
    const counts = await countRows(ch, names);
    const loadMs = performance.now() - loadStart;
    log(`xapi-db-load: loaded ${counts.xapi_events_all} statements into ${ch.description} in ${Math.round(loadMs)} ms`);
    return makeHandle({
      ch,
      stack,
      provider: choice.name,
      names,
      hash: hash.hex,
      counts,
      cacheHit: dataset !== null && dataset.source !== 'generated',
      snapshot: null,
      datasetDir: dataset?.entry.dir ?? null,
      timings: { datasetMs, loadMs, totalMs: performance.now() - started },
      embeddedPath: ch.kind === 'embedded' ? (options.embeddedPath ?? embeddedPathInUse() ?? ':memory:') : ':memory:',
      external: choice.target,
    });
  } catch (error) {
    // Clean up, report cleanup failures, rethrow the original error.
    await ch?.close().catch((e) => log(`xapi-db-load: closing ClickHouse after a failure failed: ${describeError(e)}`));
    await stack
      ?.stop()
      .catch((e) => log(`xapi-db-load: stopping containers after a failure failed: ${describeError(e)}`));
    throw error;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

function urlTarget(client: { url: string; username: string; password: string }, database: string): UrlTarget {
  const url = new URL(client.url);
  return {
    kind: 'url' as const,
    host: `${url.protocol}//${url.hostname}`,
    port: url.port === '' ? null : Number(url.port),
    username: client.username,
    password: client.password,
    database,
  };
}

interface HandleParts {
  readonly ch: ClickHouse;
  readonly stack: StartedAspectsStack | null;
  readonly provider: ResolvedProviderName;
  readonly names: SchemaNames;
  readonly hash: string;
  readonly counts: TableCounts;
  readonly cacheHit: boolean;
  readonly snapshot: SeededAspects['snapshot'];
  readonly datasetDir: string | null;
  readonly timings: SeededAspects['timings'];
  readonly embeddedPath: string;
  readonly external: UrlTarget | undefined;
  /** After the connection closed (e.g. remove a private data directory). */
  readonly afterClose?: () => Promise<void>;
}

function makeHandle(parts: HandleParts): SeededAspects {
  const databases: AspectsDatabases = {
    xapi: parts.names.xapiDb,
    eventSink: parts.names.eventSinkDb,
    reporting: parts.names.reportingDb,
  };
  let connection: AspectsConnection;
  if (parts.provider === 'embedded') {
    connection = { kind: 'embedded', url: null, path: parts.embeddedPath, databases };
  } else if (parts.stack) {
    const options = parts.stack.getClientOptions();
    const ralphUrl = parts.stack.getRalphUrl();
    const ralphLogin = parts.stack.getRalphCredentials();
    connection = {
      kind: 'server',
      ...options,
      databases,
      ...(ralphUrl && ralphLogin ? { ralph: { url: ralphUrl, ...ralphLogin } } : {}),
    };
  } else {
    const target = parts.external as UrlTarget;
    connection = {
      kind: 'server',
      url: resolveUrlTarget(target).url,
      username: target.username,
      password: target.password,
      databases,
    };
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      await parts.ch.close();
    } finally {
      try {
        await parts.stack?.stop();
      } finally {
        await parts.afterClose?.();
      }
    }
  };
  return {
    client: parts.ch.client,
    clickhouse: parts.ch,
    provider: parts.provider,
    connection,
    names: parts.names,
    datasetHash: parts.hash,
    counts: parts.counts,
    cacheHit: parts.cacheHit,
    snapshot: parts.snapshot,
    datasetDir: parts.datasetDir,
    timings: parts.timings,
    profile: (sql, params = {}) => profileQuery(parts.ch, sql, params, { names: parts.names }),
    close,
    ...knownAnswerMethods(parts.ch, parts.names),
    [Symbol.asyncDispose]: close,
  };
}

// ---------------------------------------------------------------------------------------------
// embedded: loaded-database snapshots (src/load/snapshot.ts)

/** Set while a snapshot seed opens its engine, so a concurrent seed in this process waits, then shares it. */
let snapshotSeedInFlight: Promise<unknown> | null = null;

/** Private data directories still bound by another connection when their handle closed; removed at exit. */
const dirsRemovedAtExit = new Set<string>();
process.once('exit', () => {
  for (const dir of dirsRemovedAtExit) rmSync(dir, { recursive: true, force: true });
});

function snapshotEligible(options: SeedAspectsOptions): boolean {
  return (
    options.snapshot !== false &&
    options.embeddedPath === undefined &&
    options.cache !== false &&
    snapshotSeedInFlight === null &&
    embeddedPathInUse() === null
  );
}

interface SnapshotSeed {
  readonly config: Config;
  readonly names: SchemaNames;
  readonly hash: string;
  readonly options: SeedAspectsOptions;
  readonly log: (line: string) => void;
  readonly started: number;
}

function seedFromSnapshot(seed: SnapshotSeed): Promise<SeededAspects> {
  const run = cloneSnapshot(seed);
  snapshotSeedInFlight = run;
  return run.finally(() => {
    snapshotSeedInFlight = null;
  });
}

/**
 * Embedded seed from a snapshot: clone it into a private data directory (built first, by loading
 * the dataset with this very function's legacy path, when missing), open the engine there and
 * check the counts. A copy whose counts differ means a damaged snapshot: it is removed and
 * rebuilt once.
 */
async function cloneSnapshot(seed: SnapshotSeed): Promise<SeededAspects> {
  const { config, names, options, log } = seed;
  const cache =
    options.cache instanceof LocalDatasetCache ? options.cache : new LocalDatasetCache({ log, ...options.cache });
  const snapshots = new EmbeddedSnapshots({ dir: join(cache.dir, 'snapshots'), log });
  const key = snapshotKey(config, names, seed.hash);
  let cacheHit = true;
  const build = async (dataDir: string): Promise<TableCounts> => {
    log(`xapi-db-load: snapshot ${key.short} missing; loading the dataset to build it`);
    const loaded = await seedAspects(config, {
      ...options,
      provider: 'embedded',
      embeddedPath: dataDir,
      cache,
      snapshot: false,
      reset: true,
    });
    cacheHit = loaded.cacheHit;
    await loaded.close();
    return loaded.counts;
  };
  for (let attempt = 1; ; attempt++) {
    const datasetStart = performance.now();
    const found = await snapshots.lookup(key, { checkFiles: false });
    const snapshot = found ?? (await snapshots.build(key, build));
    const datasetMs = performance.now() - datasetStart;
    const loadStart = performance.now();
    const dir = await mkdtemp(join(tmpdir(), 'xapi-db-load-embedded-'));
    let ch: ClickHouse | null = null;
    try {
      await snapshots.clone(snapshot, dir);
      ch = await createClickHouse({ kind: 'embedded', path: dir });
      const counts = await countRows(ch, names);
      const differ = LOADED_TABLES.filter((t) => counts[t] !== snapshot.manifest.counts[t]);
      if (differ.length > 0) {
        throw new SnapshotDamagedError(
          `copy of snapshot ${key.short} has other counts: ${differ.map((t) => `${t} expected ${snapshot.manifest.counts[t]}, found ${counts[t]}`).join(', ')}`,
        );
      }
      await snapshots.touch(snapshot);
      const loadMs = performance.now() - loadStart;
      log(
        `xapi-db-load: ${found ? 'snapshot hit' : 'snapshot built'}: ${key.short} cloned into ${dir} and verified in ${Math.round(loadMs)} ms`,
      );
      const entryDir = join(cache.dir, seed.hash.slice(0, 16));
      const privateDir = dir;
      return makeHandle({
        ch,
        stack: null,
        provider: 'embedded',
        names,
        hash: seed.hash,
        counts,
        cacheHit: found ? true : cacheHit,
        snapshot: found ? 'hit' : 'built',
        datasetDir: existsSync(entryDir) ? entryDir : null,
        timings: { datasetMs, loadMs, totalMs: performance.now() - seed.started },
        embeddedPath: dir,
        external: undefined,
        afterClose: async () => {
          if (embeddedPathInUse() === privateDir) dirsRemovedAtExit.add(privateDir);
          else await removeClone(privateDir);
        },
      });
    } catch (error) {
      await ch
        ?.close()
        .catch((e) => log(`xapi-db-load: closing ClickHouse after a failure failed: ${describeError(e)}`));
      await rm(dir, { recursive: true, force: true });
      if (!(error instanceof SnapshotDamagedError) || attempt > 1) throw error;
      await snapshots.remove(key, error.message);
    }
  }
}
