/**
 * `xapi-db-load load-journeys` and `xapi-db-load check-known-answers`: the commands around
 * {@link loadJourneys} and {@link checkKnownAnswers}, with the journeys config file (its
 * top-level keys name the ClickHouse, the backend and the databases, as upstream's does).
 */

import { createReadStream } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { type Command, Option } from 'commander';
import { createRalphClient } from '../backends/ralph-client.ts';
import { VECTOR_STDOUT } from '../backends/vector.ts';
import { resolveTarget } from '../clickhouse/bulk.ts';
import { type ClickHouse, createClickHouse } from '../clickhouse/connect.ts';
import { type SchemaNames, schemaNamesFromConfig } from '../clickhouse/schema.ts';
import { readConfigDocument, resolveConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { ConfigError, ReportMismatchError } from '../errors.ts';
import { resolveJourneysConfig } from '../journeys/config.ts';
import { loadJourneys, readJourneysInput, type XapiRoute } from '../load/journeys.ts';
import { loadAspectsAssetCharts } from '../reports/aspects-assets.ts';
import {
  checkKnownAnswers,
  formatKnownAnswers,
  KNOWN_ANSWER_CHARTS,
  knownAnswersMarkdown,
} from '../reports/known-answers.ts';
import { chartProfilesMarkdown, profileKnownAnswerCharts } from '../reports/known-answers-profile.ts';
import { type CliIo, DEFAULT_CONFIG_PATH } from './options.ts';

/** What both commands read from a journeys config file. */
export interface JourneysTarget {
  /** Connection, backend and databases (top-level keys over the packaged defaults). */
  readonly config: Config;
  readonly names: SchemaNames;
  readonly expectedDb: string;
  /** `journeys.output_dir` (where `journeys` wrote the files). */
  readonly outputDir: string;
}

/** Top-level keys of a journeys config that are not load-db keys. */
const JOURNEYS_ONLY = new Set(['journeys', 'event_sink_db_name', 'expected_db_name']);

function entriesOf(doc: unknown): Array<[string, unknown]> {
  if (doc instanceof Map) return [...doc.entries()] as Array<[string, unknown]>;
  if (doc !== null && typeof doc === 'object') return Object.entries(doc);
  return [];
}

/**
 * Reads a journeys config: its `journeys` mapping is validated as `journeys` does, and its
 * top-level keys (connection, `backend`, `db_name`, `event_sink_db_name`, `expected_db_name`,
 * Ralph and Vector settings) over the packaged defaults give the load config.
 * @throws ConfigError listing every problem (exit 2)
 */
export async function readJourneysTarget(path: string, io: Pick<CliIo, 'env' | 'stderr'>): Promise<JourneysTarget> {
  const warn = (line: string) => io.stderr.write(`${line}\n`);
  const document = await readConfigDocument(path, { warn });
  const journeys = resolveJourneysConfig(document, { source: path });
  const defaults = await readConfigDocument(DEFAULT_CONFIG_PATH, { warn });
  const merged = new Map<string, unknown>(entriesOf(defaults));
  for (const [key, value] of entriesOf(document)) if (!JOURNEYS_ONLY.has(key)) merged.set(key, value);
  if (journeys.eventSinkDbName !== null) merged.set('db_event_sink_name', journeys.eventSinkDbName);
  const config = resolveConfig(merged, { source: path, warn, ...(io.env ? { env: io.env } : {}) });
  return {
    config,
    names: schemaNamesFromConfig(config, config.dbReportingName),
    expectedDb: journeys.expectedDbName ?? 'journeys',
    outputDir: journeys.outputDir,
  };
}

/** Statements of a journeys `xapi.csv.gz`, in file order: `[id, statement JSON]`. */
async function* xapiStatements(path: string): AsyncGenerator<[string, string]> {
  const lines = createInterface({
    input: createReadStream(path).pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (line === '') continue;
    const first = line.indexOf(',');
    const second = line.indexOf(',', first + 1);
    const field = line.slice(second + 1);
    // Python's csv quotes the JSON (it has commas and quotes): "…" with "" for ".
    const json = field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field;
    yield [line.slice(0, first), json];
  }
}

/** Ralph: POST the statements in batches of `batch_size`, a repeated id sent once. */
export function ralphRoute(config: Config, log: (line: string) => void): XapiRoute {
  return {
    backend: 'ralph',
    landsInClickHouse: true,
    async send(path) {
      const client = createRalphClient({
        url: config.lrsUrl ?? '',
        username: config.lrsUsername ?? '',
        password: config.lrsPassword ?? '',
        onRetry: (e) =>
          log(`Ralph: retry ${e.retry} of a batch of ${e.batchSize} in ${e.delayMs} ms, after: ${e.reason}`),
      });
      let sent = 0;
      try {
        await client.probe();
        let ids: string[] = [];
        let bodies: string[] = [];
        const seen = new Set<string>();
        const flush = async () => {
          if (ids.length === 0) return;
          await client.postBatch(`[${bodies.join(',')}]`, ids);
          sent += ids.length;
          ids = [];
          bodies = [];
          seen.clear();
        };
        for await (const [id, json] of xapiStatements(path)) {
          if (seen.has(id)) continue;
          seen.add(id);
          ids.push(id);
          bodies.push(json);
          if (ids.length >= config.batchSize) await flush();
        }
        await flush();
      } finally {
        await client.close();
      }
      return sent;
    },
  };
}

/** Vector: one ` [xapi_tracking] [] {statement}` line per statement, to `vector_output`. */
export function vectorRoute(config: Config, stdout: NodeJS.WritableStream): XapiRoute {
  return {
    backend: 'vector',
    landsInClickHouse: false,
    async send(path) {
      let sent = 0;
      let chunk: string[] = [];
      const write = async () => {
        const text = chunk.join('');
        chunk = [];
        if (config.vectorOutput === VECTOR_STDOUT) {
          if (!stdout.write(text)) await new Promise((ok) => stdout.once('drain', ok));
        } else {
          await appendFile(config.vectorOutput, text);
        }
      };
      if (config.vectorOutput !== VECTOR_STDOUT) await mkdir(dirname(config.vectorOutput), { recursive: true });
      for await (const [, json] of xapiStatements(path)) {
        chunk.push(`${new Date(0).toISOString()} [xapi_tracking] [] ${json}\n`);
        sent += 1;
        if (chunk.length >= 4096) await write();
      }
      await write();
      return sent;
    },
  };
}

/** Opens the target's ClickHouse (the embedded engine by default). */
async function openTarget(target: JourneysTarget, dbHost?: string): Promise<ClickHouse> {
  return createClickHouse(resolveTarget(dbHost ? { ...target.config, dbHost } : target.config));
}

const LOAD_HELP = `
Loads the files \`xapi-db-load journeys\` wrote (journeys.output_dir, or --input_dir) into the
ClickHouse the config's top-level keys name, beside a load-db dataset in the same databases:
event-sink tables, then xAPI through the configured backend (clickhouse: inserts of 20,000
rows in time order; ralph: POSTs; vector: log lines for the Vector agent), the expected tables
into expected_db_name (default journeys), the refresh of refreshable views, OPTIMIZE … FINAL and
a verification of every table. Recorded in the load ledger as a journeys load: loading the
same journeys twice is refused.

Exit codes:
  0  loaded and verified
  1  refused (nothing written), a load or verification failure
  2  usage or configuration error (e.g. no journeys output in the directory)`;

const CHECK_HELP = `
For every course of the loaded journeys dataset, runs the chart queries (Page, Problem and
Video Engagement per Section/Subsection, Video Engagement, Partial and Full Video Views, Number
of Views across Video Duration; Problem Results and Enrollments by mode) and compares every bar
with the expected tables, exactly (a bar one side lacks counts as 0). With --aspects-assets, the
six Aspects charts' own queries (rendered from tutor-contrib-aspects) run too; a chart whose
dataset reads a model the schema's aspects_version lacks is skipped with a line saying so.

Exit codes:
  0  every bar matches
  1  a bar differs (each difference is listed), or a query failed
  2  usage or configuration error`;

interface CommonOptions {
  config_file?: string;
  configFile?: string;
  db_host?: string;
}

function configPath(options: CommonOptions): string {
  const path = options.config_file ?? options.configFile;
  if (path === undefined) {
    throw new ConfigError([
      { key: 'config_file', message: 'config_file: missing; expected --config_file <path> of a journeys config' },
    ]);
  }
  return path;
}

/** Adds `load-journeys` and `check-known-answers`; `setExitCode` receives their exit codes. */
export function addKnownAnswersCommands(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('load-journeys')
    .description('Load a journeys output (events and expected tables) into ClickHouse through the configured backend.')
    .addOption(new Option('--config_file <path>', 'the journeys config (required)'))
    .addOption(new Option('--config-file <path>', 'alias of --config_file').hideHelp())
    .option('--input_dir <dir>', 'the journeys output directory (default: journeys.output_dir)')
    .option('--db_host <host>', "overrides the config's db_host")
    .addHelpText('after', LOAD_HELP)
    .action(async (options: CommonOptions & { input_dir?: string }) => {
      const target = await readJourneysTarget(configPath(options), io);
      const input = await readJourneysInput(options.input_dir ?? target.outputDir);
      const log = (line: string) => io.stderr.write(`${line}\n`);
      const route =
        target.config.backend === 'ralph'
          ? ralphRoute(target.config, log)
          : target.config.backend === 'vector'
            ? vectorRoute(target.config, io.stdout)
            : undefined;
      const ch = await openTarget(target, options.db_host);
      try {
        const result = await loadJourneys(
          input,
          { clickhouse: ch, names: target.names },
          {
            expectedDb: target.expectedDb,
            optimizeFinal: target.config.optimizeFinal,
            ...(target.config.initSchema === null ? {} : { initSchema: target.config.initSchema }),
            ...(route ? { xapi: route } : {}),
            log,
            ...(io.signal ? { signal: io.signal } : {}),
          },
        );
        const out =
          target.config.backend === 'vector' && target.config.vectorOutput === VECTOR_STDOUT ? io.stderr : io.stdout;
        out.write(
          `Loaded the journeys from ${result.source} into ${result.target} (xAPI via ${result.xapiBackend}, load ${result.loadId}):\n` +
            result.tables.map((t) => `  ${t.target}: ${t.loaded} rows`).join('\n') +
            `\n`,
        );
      } finally {
        await ch.close();
      }
      setExitCode(0);
    });

  program
    .command('check-known-answers')
    .description(
      'Compare every bar of the engagement, video, problem-result and enrollment charts with the known answers.',
    )
    .addOption(new Option('--config_file <path>', 'the journeys config (required)'))
    .addOption(new Option('--config-file <path>', 'alias of --config_file').hideHelp())
    .option('--db_host <host>', "overrides the config's db_host")
    .option('--summary <path>', 'also write the Markdown table (job summary) to this file')
    .option(
      '--aspects-assets <dir>',
      "also run the six charts' real queries from a tutor-contrib-aspects checkout or unzipped wheel",
    )
    .option(
      '--profile <path>',
      "also write the plan profile of every chart's query per course (granules, rows, pruning keys) to this JSON file",
    )
    .addHelpText('after', CHECK_HELP)
    .action(async (options: CommonOptions & { summary?: string; aspectsAssets?: string; profile?: string }) => {
      const target = await readJourneysTarget(configPath(options), io);
      const assetCharts = options.aspectsAssets ? await loadAspectsAssetCharts(options.aspectsAssets) : [];
      const ch = await openTarget(target, options.db_host);
      try {
        const result = await checkKnownAnswers(ch, target.names, {
          expectedDb: target.expectedDb,
          charts: [...KNOWN_ANSWER_CHARTS, ...assetCharts],
          log: (line) => io.stderr.write(`${line}\n`),
        });
        if (options.summary) {
          await mkdir(dirname(options.summary), { recursive: true });
          await appendFile(options.summary, `${knownAnswersMarkdown(result)}\n`);
        }
        io.stdout.write(`${formatKnownAnswers(result)}\n`);
        if (options.profile) {
          const profiles = await profileKnownAnswerCharts(ch, target.names, target.expectedDb, result.courses);
          await mkdir(dirname(options.profile), { recursive: true });
          await writeFile(
            options.profile,
            `${JSON.stringify({ format: 1, aspectsVersion: result.aspectsVersion, charts: profiles }, null, 2)}\n`,
          );
          if (options.summary) await appendFile(options.summary, chartProfilesMarkdown(profiles));
          io.stderr.write(`Plan profiles of ${profiles.length} chart queries written to ${options.profile}\n`);
        }
        if (!result.ok) {
          throw new ReportMismatchError(
            `check-known-answers: ${result.differences.length} chart numbers differ from the known answers (listed above)`,
          );
        }
      } finally {
        await ch.close();
      }
      setExitCode(0);
    });
}
