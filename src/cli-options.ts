/**
 * What every command line command shares: the packaged config, the `--config_file` option with
 * its default spelled out, and the package version. Kept apart from `cli.ts` so the command
 * modules (report, init-schema) can use it without importing the entry point.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import { ASPECTS_VERSIONS, DEFAULT_ASPECTS_VERSION } from './config/types.ts';

/** The config shipped with the package, used when `--config_file` is not given. */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../configs/default_config.yaml', import.meta.url));

/** The `version` of this package's package.json. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
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
