#!/usr/bin/env node
/**
 * `xapi-db-load` command line. Exit codes: 0 success, 1 runtime failure, 2 usage or config error.
 */

import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { createSink } from './backends/index.ts';
import { VECTOR_STDOUT } from './backends/vector.ts';
import {
  aspectsVersionOption,
  configFileAlias,
  configFileOption,
  DEFAULT_CONFIG_PATH,
  packageVersion,
} from './cli-options.ts';
import { addInitSchemaCommand } from './clickhouse/init-command.ts';
import { loadConfig } from './config/index.ts';
import type { Config } from './config/types.ts';
import { ConfigError, describeError, InterruptedError, XapiDbLoadError } from './errors.ts';
import { addJourneysCommand } from './journeys/cli-command.ts';
import { formatBulkLoadSummary, runCsvBulkLoad } from './load/csv.ts';
import { formatNativeLoadSummary, runNativeLoad } from './load/native.ts';
import { addReportCommand } from './reports/cli-command.ts';
import { systemClock } from './run/clock.ts';
import { openRunLog } from './run/log-file.ts';
import { createProgress, type ProgressMode } from './run/progress.ts';
import { runLoadDb } from './run/runner.ts';
import { formatSummary } from './run/summary.ts';

export { DEFAULT_CONFIG_PATH };

const EXIT_HELP = `
Exit codes:
  0  success
  1  runtime failure (a write, ClickHouse, S3 or HTTP error; counts of what was written are printed),
     or the databases already hold data (what is there is printed; nothing was written)
  130, 143  stopped by SIGINT (Ctrl-C) or SIGTERM; what was loaded is printed and recorded
  2  usage or configuration error (every problem is listed, nothing was generated)

Environment:
  XAPI_DB_LOAD_CLICKHOUSE_PASSWORD    overrides db_password
  XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY  overrides s3_secret
  XAPI_DB_LOAD_RALPH_PASSWORD         overrides lrs_password`;

interface LoadDbOptions {
  config_file?: string;
  configFile?: string;
  load_db_only?: boolean;
  /** Set by `load-db-from-s3`: the CSV loader whatever the backend (as 1.5.0 did). */
  fromS3?: boolean;
  progress: ProgressMode;
  quiet?: boolean;
  /** `--shard i/n`. */
  shard?: string;
  /** `--reset`: drop and recreate the project's databases when they hold data. */
  reset?: boolean;
  /** `--now today|<instant>`: overrides the config's `now`. */
  now?: string;
  /** `--aspects_version`: overrides the config's `aspects_version`. */
  aspects_version?: string;
}

const SHARD_HELP = {
  generate:
    'generate slice i (0-based) of n of the random xAPI batches; shard 0 also writes the event-sink tables (overrides shard_index/shard_count)',
  load: 'the files were written by n shard runs (--shard i/n, any i): load the n xAPI files xapi.shard-*-of-n.csv.gz with the event-sink files',
} as const;

function configOptions(command: Command, shardHelp: string = SHARD_HELP.generate): Command {
  return command
    .addOption(configFileOption())
    .addOption(configFileAlias())
    .addOption(
      new Option('--progress <mode>', 'progress output on stderr: a bar on a terminal, plain lines otherwise')
        .choices(['auto', 'bar', 'plain', 'none'])
        .default('auto'),
    )
    .option('--quiet', 'print only errors and the final summary')
    .option(
      '--reset',
      'when the databases already hold data, say what is there, drop db_name, db_event_sink_name and db_reporting_name and recreate them, then load',
    )
    .option('--shard <i/n>', shardHelp)
    .option('--now <when>', "the dataset's now: today or a UTC instant such as 2026-11-15T00:00:00Z (overrides now)")
    .addOption(aspectsVersionOption());
}

/** Applies `--shard i/n` to a loaded config, with the same checks the config file gets. */
function withShard(config: Config, shard: string | undefined): Config {
  if (shard === undefined) return config;
  const match = /^(\d+)\/(\d+)$/.exec(shard);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  // The safe-integer bound is the one shard_count gets; past it, n is silently rounded.
  if (!match || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new ConfigError([
      {
        key: 'shard',
        message: `--shard: got "${shard}"; expected i/n with 0 ≤ i < n ≤ ${Number.MAX_SAFE_INTEGER}, e.g. 2/4`,
      },
    ]);
  }
  if (count > 1 && config.loadFromS3After) {
    throw new ConfigError([
      {
        key: 'load_from_s3_after',
        message: `load_from_s3_after: got true with --shard ${shard}; a sharded dataset is loaded once, after every shard is written: run load-db-from-s3 then`,
      },
    ]);
  }
  return Object.freeze({ ...config, shardIndex: index, shardCount: count });
}

async function loadDb(options: LoadDbOptions, io: CliIo): Promise<number> {
  const path = options.config_file ?? options.configFile ?? DEFAULT_CONFIG_PATH;
  const config = withShard(
    await loadConfig(path, {
      env: io.env,
      warn: (line) => io.stderr.write(`${line}\n`),
      overrides: { now: options.now, aspects_version: options.aspects_version },
    }),
    options.shard,
  );
  if (options.load_db_only && !options.fromS3) checkLoadOnlyBackend(config);
  const runLog = openRunLog(config, (line) => io.stderr.write(`${line}\n`));
  const progress = createProgress({
    stream: io.stderr,
    clock: systemClock,
    mode: options.quiet ? 'none' : options.progress,
  });
  const log = (line: string) => {
    runLog.write('INFO', line);
    // Through the progress reporter, so a line never lands glued onto the bar (issue #12, D14).
    if (!options.quiet) progress.print(line);
  };
  log(`Config: ${config.configFile ?? path}`);
  // With the vector backend on stdout, stdout carries statement lines and nothing else.
  const summaryStream = config.backend === 'vector' && config.vectorOutput === VECTOR_STDOUT ? io.stderr : io.stdout;
  const report = (summary: string) => {
    runLog.write('INFO', summary);
    summaryStream.write(`${summary}\n`);
  };
  const reset = options.reset ? { reset: true } : {};
  try {
    if (options.load_db_only) {
      // Nothing is generated: the files already at the source are loaded and verified (the
      // chdb backend's Native files, or the CSV files).
      if (config.backend === 'chdb' && !options.fromS3) {
        report(
          formatNativeLoadSummary(
            await runNativeLoad(config, { log, ...reset, ...(io.signal ? { signal: io.signal } : {}) }),
          ),
        );
        return 0;
      }
      report(formatBulkLoadSummary(await runCsvBulkLoad(config, { log, ...reset, signal: io.signal })));
      return 0;
    }
    const sink = createSink(config, { stdout: io.stdout, log, ...reset, ...(io.signal ? { signal: io.signal } : {}) });
    // load_from_s3_after (csv): runLoadDb connects before generating and loads after.
    const result = await runLoadDb(config, { log, progress, signal: io.signal, sink, ...reset });
    report(formatSummary(result));
    if (result.load) report(formatBulkLoadSummary(result.load));
    return 0;
  } catch (error) {
    runLog.write('ERROR', describeError(error));
    throw error;
  }
}

/**
 * `--load_db_only` loads files a backend wrote earlier: the csv backend's CSV files (and the
 * chdb backend's Native files). The other backends write straight to ClickHouse or Ralph, so
 * there is nothing to load; the original crashed with NotImplementedError there (quirk Q16).
 */
function checkLoadOnlyBackend(config: Config): void {
  if (config.backend === 'csv' || config.backend === 'chdb') return;
  const writesTo: Record<string, string> = { clickhouse: 'ClickHouse', ralph: 'Ralph', vector: 'Vector' };
  const message =
    `--load_db_only: backend "${config.backend}" writes straight to ${writesTo[config.backend]}, so there are no files to load; ` +
    'only the csv and chdb backends support it (load-db-from-s3 with s3_source_location loads CSV files whatever the backend)';
  throw new ConfigError([{ key: 'load_db_only', message }]);
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/** Runs the CLI with `argv` (without the node and script entries); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('xapi-db-load')
    .description(
      'Generate a realistic, reproducible Open edX Aspects dataset (xAPI statements and event-sink tables)\n' +
        'and write it as gzipped CSV files or load it into ClickHouse, Ralph or Vector.',
    )
    .version(packageVersion(), '-V, --version', 'print the version of xapi-db-load')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', EXIT_HELP);

  configOptions(
    program
      .command('load-db')
      .description('Generate the dataset described by the config and write it through the configured backend.')
      .option(
        '--load_db_only',
        'load the files a csv or chdb backend run wrote into ClickHouse (csv: s3_source_location; chdb: native_output_destination), no generation',
      ),
  )
    .addHelpText('after', EXIT_HELP)
    .action(async (options: LoadDbOptions) => {
      exitCode = await loadDb(options, io);
    });

  configOptions(
    program
      .command('load-db-from-s3')
      .description(
        'Bulk-load the eight files from s3_source_location into ClickHouse (same as load-db --load_db_only).',
      ),
    SHARD_HELP.load,
  )
    .addHelpText('after', EXIT_HELP)
    .action(async (options: LoadDbOptions) => {
      exitCode = await loadDb({ ...options, load_db_only: true, fromS3: true }, io);
    });

  addReportCommand(program, io, (code) => {
    exitCode = code;
  });

  addInitSchemaCommand(program, io, (code) => {
    exitCode = code;
  });

  addJourneysCommand(program, io, (code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successes; anything else is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof XapiDbLoadError) {
      io.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`error: unexpected failure: ${describeError(error)}\n`);
    if (error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

const isEntryPoint =
  process.argv[1] !== undefined && fileURLToPath(import.meta.url) === (await realpathOrSelf(process.argv[1]));

async function realpathOrSelf(path: string): Promise<string> {
  const { realpath } = await import('node:fs/promises');
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

if (isEntryPoint) {
  const controller = new AbortController();
  // Every signal is handled (not once): a second Ctrl-C, or the second SIGTERM `timeout` sends,
  // must not kill the run before it has recorded what it loaded (issue #9, D7, D8).
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) {
      process.stderr.write(`${signal} again: already stopping; recording what was loaded first\n`);
      return;
    }
    process.stderr.write(`\n${signal}: stopping after the current step and recording what was loaded\n`);
    controller.abort(InterruptedError.fromSignal(signal));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  });
  process.exitCode = code;
}
