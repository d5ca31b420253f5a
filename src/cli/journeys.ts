/** The `xapi-db-load journeys` command: its options and what it runs. */

import { type Command, Option } from 'commander';
import { readConfigDocument } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import { resolveJourneysConfig } from '../journeys/config.ts';
import { generateJourneys } from '../journeys/generate.ts';
import type { CliIo } from './options.ts';

const JOURNEYS_HELP = `
Simulates learners moving through courses (the "journeys" mapping of the config) and writes, to
the output directory: xapi, courses, blocks, external_ids, user_profiles (gzipped CSV, the files
upstream xapi-db-load writes), the known answers expected_engagement, expected_video_seconds,
expected_problem_results, expected_enrollments (gzipped CSV with a header), and manifest.json.
Same config, seed and --now give byte-identical files whatever num_workers is.

Exit codes:
  0  written
  1  a write failed
  2  usage or configuration error (every problem is listed, nothing was written)`;

interface JourneysOptions {
  config_file?: string;
  configFile?: string;
  output_dir?: string;
  seed?: string;
  now?: string;
}

function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = (ms / 1000 - h * 3600 - m * 60).toFixed(3);
  return `${h}:${String(m).padStart(2, '0')}:${s.padStart(6, '0')}`;
}

/** Adds the `journeys` command; `setExitCode` receives its exit code. */
export function addJourneysCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('journeys')
    .description('Generate learner journeys with known answers (expected chart results) as gzipped CSV files.')
    .addOption(new Option('--config_file <path>', 'YAML file with a journeys mapping (required)'))
    .addOption(new Option('--config-file <path>', 'alias of --config_file').hideHelp())
    .option('--output_dir <dir>', 'overrides journeys.output_dir')
    .option('--seed <int>', 'overrides journeys.seed')
    .option('--now <time>', 'overrides journeys.now (UTC, e.g. "2026-10-08 12:00:00")')
    .addHelpText('after', JOURNEYS_HELP)
    .action(async (options: JourneysOptions) => {
      const path = options.config_file ?? options.configFile;
      if (path === undefined) {
        throw new ConfigError([
          {
            key: 'config_file',
            message: 'config_file: missing; expected --config_file <path> of a YAML file with a journeys mapping',
          },
        ]);
      }
      const document = await readConfigDocument(path, { warn: (line) => io.stderr.write(`${line}\n`) });
      let seed: number | undefined;
      if (options.seed !== undefined) {
        seed = /^\d+$/.test(options.seed) ? Number(options.seed) : Number.NaN;
        if (!Number.isSafeInteger(seed)) {
          throw new ConfigError([
            { key: 'seed', message: `--seed: got ${JSON.stringify(options.seed)}; expected a non-negative integer` },
          ]);
        }
      }
      const config = resolveJourneysConfig(document, {
        source: path,
        overrides: {
          ...(options.output_dir === undefined ? {} : { outputDir: options.output_dir }),
          ...(seed === undefined ? {} : { seed }),
          ...(options.now === undefined ? {} : { now: options.now }),
        },
      });
      const summary = await generateJourneys(config, {
        log: (line) => io.stderr.write(`${new Date().toISOString()} ${line}\n`),
        ...(io.signal ? { signal: io.signal } : {}),
      });
      io.stdout.write(
        `Wrote ${summary.numXapiEvents} xAPI events for ${summary.numEnrollments} enrollments in ${summary.numCourseRuns} course runs to ${summary.outputDir} in ${formatElapsed(summary.elapsedMs)}\n`,
      );
      setExitCode(0);
    });
}
