/**
 * What every command line command shares: the packaged config, the `--config_file` option with
 * its default spelled out, and the package version. Kept apart from `main.ts` so the command
 * modules (report, init-schema) can use it without importing the entry point.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import { loadConfig } from '../config/load.ts';
import { ASPECTS_VERSIONS, type Config, DEFAULT_ASPECTS_VERSION } from '../config/types.ts';

/** The config shipped with the package, used when `--config_file` is not given. */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../configs/default_config.yaml', import.meta.url));

/** The `version` of this package's package.json. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * `--config_file <path>`, whose help names the packaged config and where it puts files: relative
 * paths in a config are relative to the directory the command runs in, not to the config file.
 */
export function configFileOption(): Option {
  // Commander prints a default only when there is a value, so the path itself is the default.
  return new Option('--config_file <path>', 'YAML configuration file (1.x and current keys accepted)').default(
    DEFAULT_CONFIG_PATH,
    `${DEFAULT_CONFIG_PATH}, the packaged config: embedded ClickHouse with its data in ./.xapi-db-load/chdb and the run log ` +
      'in ./logs/, both under the directory the command runs in',
  );
}

/** The hidden `--config-file` spelling. */
export function configFileAlias(): Option {
  return new Option('--config-file <path>', 'alias of --config_file').hideHelp();
}

/** The streams, environment and abort signal a command runs with (the process's, or a test's). */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/**
 * `--aspects_version <version>`: overrides the config's `aspects_version` (validated with it, so a
 * wrong value gets the same message as in the file).
 */
export function aspectsVersionOption(): Option {
  return new Option(
    '--aspects_version <version>',
    `aspects-dbt release of the schema and reports: ${ASPECTS_VERSIONS.join(' or ')} (overrides aspects_version; default ${DEFAULT_ASPECTS_VERSION})`,
  );
}

/** The `--config_file` (or hidden `--config-file`) a command was given. */
export interface ConfigFileFlags {
  readonly config_file?: string;
  readonly configFile?: string;
}

/** The config file a command reads: `--config_file`, else the packaged default. */
export function configPath(flags: ConfigFileFlags): string {
  return flags.config_file ?? flags.configFile ?? DEFAULT_CONFIG_PATH;
}

/** Loads a command's config: the command's environment, warnings on its stderr, command-line overrides. */
export function loadCommandConfig(
  flags: ConfigFileFlags,
  io: CliIo,
  overrides: Readonly<Record<string, unknown>> = {},
): Promise<Config> {
  return loadConfig(configPath(flags), { env: io.env, warn: (line) => io.stderr.write(`${line}\n`), overrides });
}
