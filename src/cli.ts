#!/usr/bin/env node
/**
 * `xapi-db-load` command line. Exit codes: 0 success, 1 runtime failure, 2 usage or config error.
 */

import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig } from './config/index.ts';
import { ConfigError, describeError, XapiDbLoadError } from './errors.ts';
import { systemClock } from './run/clock.ts';
import { openRunLog } from './run/log-file.ts';
import { createProgress, type ProgressMode } from './run/progress.ts';
import { runLoadDb } from './run/runner.ts';
import { formatSummary } from './run/summary.ts';

/** The config shipped with the package, used when `--config_file` is not given. */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../configs/default_config.yaml', import.meta.url));

const EXIT_HELP = `
Exit codes:
  0  success
  1  runtime failure (a write, ClickHouse, S3 or HTTP error; counts of what was written are printed)
  2  usage or configuration error (every problem is listed, nothing was generated)

Environment:
  XAPI_DB_LOAD_CLICKHOUSE_PASSWORD    overrides db_password
  XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY  overrides s3_secret
  XAPI_DB_LOAD_RALPH_PASSWORD         overrides lrs_password`;

interface LoadDbOptions {
  config_file?: string;
  configFile?: string;
  load_db_only?: boolean;
  progress: ProgressMode;
  quiet?: boolean;
}

function configOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--config_file <path>', 'YAML configuration file (1.x and current keys accepted)').default(
        undefined,
        'the packaged configs/default_config.yaml',
      ),
    )
    .addOption(new Option('--config-file <path>', 'alias of --config_file').hideHelp())
    .addOption(
      new Option('--progress <mode>', 'progress output on stderr: a bar on a terminal, plain lines otherwise')
        .choices(['auto', 'bar', 'plain', 'none'])
        .default('auto'),
    )
    .option('--quiet', 'print only errors and the final summary');
}

async function loadDb(options: LoadDbOptions, io: CliIo): Promise<number> {
  const path = options.config_file ?? options.configFile ?? DEFAULT_CONFIG_PATH;
  const config = await loadConfig(path, { env: io.env, warn: (line) => io.stderr.write(`${line}\n`) });
  if (options.load_db_only) {
    throw new ConfigError([
      {
        key: 'load_db_only',
        message: '--load_db_only: loading existing files needs the ClickHouse loader, which is not available yet',
      },
    ]);
  }
  const runLog = openRunLog(config, (line) => io.stderr.write(`${line}\n`));
  const log = (line: string) => {
    runLog.write('INFO', line);
    if (!options.quiet) io.stderr.write(`${line}\n`);
  };
  const progress = createProgress({
    stream: io.stderr,
    clock: systemClock,
    mode: options.quiet ? 'none' : options.progress,
  });
  log(`Config: ${config.configFile ?? path}`);
  try {
    const result = await runLoadDb(config, { log, progress, signal: io.signal });
    const summary = formatSummary(result);
    runLog.write('INFO', summary);
    io.stdout.write(`${summary}\n`);
    return 0;
  } catch (error) {
    runLog.write('ERROR', describeError(error));
    throw error;
  }
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
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', EXIT_HELP);

  configOptions(
    program
      .command('load-db')
      .description('Generate the dataset described by the config and write it through the configured backend.')
      .option('--load_db_only', 'load files already written (no generation); needs a ClickHouse backend'),
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
  )
    .addHelpText('after', EXIT_HELP)
    .action(async (options: LoadDbOptions) => {
      exitCode = await loadDb({ ...options, load_db_only: true }, io);
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
  process.once('SIGINT', () => controller.abort(new XapiDbLoadError('interrupted (SIGINT)')));
  process.once('SIGTERM', () => controller.abort(new XapiDbLoadError('terminated (SIGTERM)')));
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  });
  process.exitCode = code;
}
