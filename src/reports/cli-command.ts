/** Registers `xapi-db-load report` on the CLI program (kept here so src/cli.ts stays small). */

import { type Command, Option } from 'commander';
import type { CliIo } from '../cli.ts';
import { aspectsVersionOption, configFileAlias, configFileOption, DEFAULT_CONFIG_PATH } from '../cli-options.ts';
import { loadConfig } from '../config/index.ts';
import { type ReportCommandOptions, reportCommand, reportScript } from './command.ts';

const REPORT_HELP = `
The reference time that replaces now() is the config's now, else midnight UTC after its end_date, so results
never depend on the wall clock. Snapshots are sorted, normalized JSON (floats to 10 significant
digits, times in UTC). Counts, keys and strings must match the baseline exactly; @approximate
columns (uniqCombined) within their tolerance.

Exit codes:
  0  reports match the baseline (or no baseline, or --update-baseline)
  1  a report changed or got slower, or a runtime failure
  2  usage or configuration error`;

interface ParsedReportOptions extends ReportCommandOptions {
  printSql?: boolean;
  config_file?: string;
  configFile?: string;
  db_host?: string;
  quiet?: boolean;
  aspects_version?: string;
}

/** Adds the `report` command; `setExitCode` receives its exit code. */
export function addReportCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('report')
    .description(
      'Load the dataset (when the target is a fresh embedded engine or container), run the Aspects report ' +
        'queries, write a snapshot and compare it with a baseline; optionally time them against a perf baseline.',
    )
    .addOption(configFileOption())
    .addOption(configFileAlias())
    .option('--db_host <host>', "overrides the config's db_host, e.g. embedded, container or a server host name")
    .option('--baseline <path>', 'baseline snapshot to compare with')
    .option('--update-baseline', 'rewrite the baseline (and --perf-baseline) with the current results')
    .option('--snapshot <path>', 'where to write the current snapshot', 'report-snapshot.json')
    .option('--summary <path>', 'write the Markdown job summary to this file')
    .option('--reports-dir <dir...>', 'extra report queries (*.sql) to run after the built-in suite')
    .option('--only <names>', 'comma-separated report names or prefixes (e.g. r01,r11)')
    .option('--org <org>', 'org of the course-scoped reports (with --course)')
    .option('--course <course_key>', 'course of the course-scoped reports (default: the course with most events)')
    .option('--now <time>', 'reference time, UTC (default: midnight after end_date)')
    .addOption(
      new Option('--load <when>', 'load the dataset first: auto = for a fresh embedded engine or container')
        .choices(['auto', 'always', 'never'])
        .default('auto'),
    )
    .option('--dataset-dir <dir>', 'load these dataset files (csv backend output) instead of generating them')
    .option('--perf', 'time every report (interleaved repeats after warm-up) and compare with --perf-baseline')
    .option('--perf-baseline <path>', 'perf baseline (JSON); recorded when missing')
    .option('--perf-repeats <n>', 'timed runs per report (default 5)')
    .option('--perf-warmup <n>', 'untimed warm-up rounds (default 1)')
    .option('--perf-threshold <ratio>', 'relative slowdown of the median that fails, e.g. 0.5 or 50% (default 0.5)')
    .option('--perf-min-diff-ms <ms>', 'a slower median fails only if also this many ms slower (default 5)')
    .option('--quiet', 'print only errors and the result')
    .addOption(aspectsVersionOption())
    .option('--print-sql', 'print the report statements to stdout instead of running them (nothing is loaded or sent)')
    .addHelpText('after', REPORT_HELP)
    .action(async (options: ParsedReportOptions) => {
      const path = options.config_file ?? options.configFile ?? DEFAULT_CONFIG_PATH;
      const loaded = await loadConfig(path, {
        env: io.env,
        warn: (line) => io.stderr.write(`${line}\n`),
        overrides: { aspects_version: options.aspects_version },
      });
      const config = options.db_host ? Object.freeze({ ...loaded, dbHost: options.db_host }) : loaded;
      if (options.printSql) {
        io.stdout.write(await reportScript(config, options));
        setExitCode(0);
        return;
      }
      const log = (line: string) => {
        if (!options.quiet) io.stderr.write(`${line}\n`);
      };
      const result = await reportCommand(config, options, log);
      io.stdout.write(
        `report: ${result.status} (${Object.keys(result.snapshot.reports).length} report(s), snapshot ${options.snapshot ?? 'report-snapshot.json'})\n`,
      );
      setExitCode(0);
    });
}
