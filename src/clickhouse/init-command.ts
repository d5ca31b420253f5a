/** Registers `xapi-db-load init-schema` on the CLI program (kept here so src/cli.ts stays small). */

import type { Command } from 'commander';
import type { CliIo } from '../cli.ts';
import { aspectsVersionOption, configFileAlias, configFileOption, DEFAULT_CONFIG_PATH } from '../cli-options.ts';
import { loadConfig } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { resolveTarget } from './bulk.ts';
import { createClickHouse, targetFromConfig } from './connect.ts';
import { formatInitSchemaReport, initSchemaWithReport } from './init-report.ts';
import { aspectsDbtTag, renderSchema, schemaNamesFromConfig } from './schema.ts';

const INIT_SCHEMA_HELP = `
Creates the databases (db_name, db_event_sink_name, db_reporting_name), SQL functions, the raw
xAPI table, the seven event-sink tables, the materialized-view chain, dictionaries and reporting
views of Open edX Aspects on the ClickHouse that db_host names. Running it again is safe: tables
and materialized views that exist are kept with their rows; functions, dictionaries and views are
replaced.

Exit codes:
  0  the schema is in place
  1  ClickHouse is unreachable or rejected a statement (the statement is named)
  2  usage or configuration error`;

interface InitSchemaOptions {
  config_file?: string;
  configFile?: string;
  printSql?: boolean;
  aspects_version?: string;
}

/**
 * The schema as a SQL script: exactly the statements `init-schema` sends, in order, each ended
 * by `;`. A server's dictionaries log in as db_username; the password is never printed, so the
 * script carries a placeholder a DBA replaces before running it.
 */
export function schemaScript(config: Config): string {
  const server = targetFromConfig(config).kind !== 'embedded';
  const names = schemaNamesFromConfig(config, config.dbReportingName);
  const statements = renderSchema(names, {
    dictionaryCredentials: server ? { username: config.dbUsername, password: PASSWORD_PLACEHOLDER } : null,
  });
  const header = [
    `-- Open edX Aspects schema (aspects-dbt ${aspectsDbtTag(names.aspectsVersion)}) as xapi-db-load init-schema runs it: ${statements.length} statements.`,
    ...(server
      ? [
          `-- Replace ${PASSWORD_PLACEHOLDER} with the password of ${config.dbUsername} (dictionary sources log in with it).`,
        ]
      : []),
  ];
  return `${header.join('\n')}\n\n${statements.map((s) => `${s.sql};\n`).join('\n')}`;
}

const PASSWORD_PLACEHOLDER = '<db_password>';

/** Adds the `init-schema` command; `setExitCode` receives its exit code. */
export function addInitSchemaCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('init-schema')
    .description('Create the Aspects ClickHouse schema on the configured target (idempotent).')
    .addOption(configFileOption())
    .addOption(configFileAlias())
    .option('--print-sql', 'print the statements to stdout instead of running them (nothing is sent to ClickHouse)')
    .addOption(aspectsVersionOption())
    .addHelpText('after', INIT_SCHEMA_HELP)
    .action(async (options: InitSchemaOptions) => {
      const path = options.config_file ?? options.configFile ?? DEFAULT_CONFIG_PATH;
      const config = await loadConfig(path, {
        env: io.env,
        warn: (line) => io.stderr.write(`${line}\n`),
        overrides: { aspects_version: options.aspects_version },
      });
      if (options.printSql) {
        io.stdout.write(schemaScript(config));
        setExitCode(0);
        return;
      }
      const ch = await createClickHouse(resolveTarget(config));
      try {
        const report = await initSchemaWithReport(ch, schemaNamesFromConfig(config, config.dbReportingName));
        io.stdout.write(`${formatInitSchemaReport(report)}\n`);
      } finally {
        await ch.close();
      }
      setExitCode(0);
    });
}
