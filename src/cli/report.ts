/** The `xapi-db-load report` command: its options and what it runs. */

import { type Command, Option } from 'commander';
import { type ReportCommandOptions, reportCommand, reportScript } from '../reports/command.ts';
import { aspectsVersionOption, type CliIo, configFileAlias, configFileOption, loadCommandConfig } from './options.ts';

const REPORT_HELP = `
The reference time that replaces now() is the config's now, else midnight UTC after its end_date, so results
never depend on the wall clock. Snapshots are sorted, normalized JSON (floats to 10 significant
digits, times in UTC). Counts, keys and strings must match the baseline exactly; @approximate
columns (uniqCombined) within their tolerance.

--perf records a plan profile of every report (selected granules, estimated rows, which of org/course_key
pruned), for the busiest course, a median course and the org. Plan guards (exact, machine-independent) fail
on granule or row growth and on lost org/course_key pruning; wall-clock medians are a secondary check.

Exit codes:
  0  reports match the baseline (or no baseline, or --update-baseline)
  1  a report changed, failed a plan guard or got slower, or a runtime failure
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
    .option('--only <names>', 'comma-separated report names or prefixes (e.g. at-risk,video-watches)')
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
    .option(
      '--perf-granules-threshold <ratio>',
      'growth of selected granules that fails, e.g. 0 or 10% (default: 0 on the embedded engine, 10% on a server)',
    )
    .option('--perf-rows-threshold <ratio>', 'growth of rows read (embedded: estimated rows) that fails (default 10%)')
    .option(
      '--perf-filters <list>',
      'filter combinations of course-scoped reports: course,median-course,org (default all) or none',
    )
    .option('--quiet', 'print only errors and the result')
    .addOption(aspectsVersionOption())
    .option('--print-sql', 'print the report statements to stdout instead of running them (nothing is loaded or sent)')
    .addHelpText('after', REPORT_HELP)
    .action(async (options: ParsedReportOptions) => {
      const loaded = await loadCommandConfig(options, io, { aspects_version: options.aspects_version });
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
