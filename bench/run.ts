/**
 * `npm run bench`: throughput of the csv path on a fixed config, next to the machine's own
 * limit measured in the same run (gzip alone on the same bytes, same level, same threads),
 * so the ratio means something on a noisy or different machine.
 *
 *   npm run bench                       1M statements (default)
 *   npm run bench -- --statements 10M   memory check on a larger dataset
 *   npm run bench -- --level 6 --workers 2 --repeats 5
 *   npm run bench -- --clickhouse-statements 1M   size of the ClickHouse section (default 200k)
 *   npm run bench -- --only csv                  one section (csv, ralph, clickhouse, fixtures, journeys)
 *   npm run bench -- --fixture-presets tiny,small   presets of the fixture section (default tiny,small,medium)
 *   npm run bench -- --only journeys --journeys-sort   journeys at size m with sort_events
 *   npm run bench -- --mix 1x                    the 1.x example's course mix instead of the default's
 *
 * The csv run is timed from spawning its process to the process's exit (start-up, world,
 * workers, every file committed); the limit is gzip alone on the same bytes. Each is reported as
 * best and median of the interleaved repeats, and the headline ratio is best / best: noise only
 * ever slows a run down, so the best of N is the closest to what the machine can do.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { measureGzipLimit } from './gzip-limit.ts';
import { median } from './median.ts';

const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    statements: { type: 'string', default: '1M' },
    workers: { type: 'string', default: '2' },
    level: { type: 'string' },
    'batch-size': { type: 'string', default: '1000' },
    repeats: { type: 'string', default: '3' },
    'clickhouse-statements': { type: 'string', default: '200k' },
    only: { type: 'string' },
    'fixture-presets': { type: 'string', default: 'tiny,small,medium' },
    'journeys-config': { type: 'string', default: 'configs/journeys/m.yaml' },
    'journeys-sort': { type: 'boolean', default: false },
    mix: { type: 'string', default: 'default' },
  },
});

/** `--mix`: whose course mix (course sizes, makeup, publishes, date range) the dataset uses. */
const MIX_FILES: Record<string, string> = {
  default: '../configs/default_config.yaml',
  '1x': '../configs/examples/legacy-1x.yaml',
};
const mixFile = MIX_FILES[values.mix as string];
if (!mixFile) throw new Error(`--mix: got "${values.mix}"; expected one of ${Object.keys(MIX_FILES).join(', ')}`);

/** `--only csv,ralph,clickhouse,fixtures,journeys`: the sections to run (all by default). */
const sections = new Set((values.only ?? 'csv,ralph,clickhouse,fixtures,journeys').split(',').map((x) => x.trim()));
for (const name of sections) {
  if (!['csv', 'ralph', 'clickhouse', 'fixtures', 'journeys'].includes(name)) {
    throw new Error(
      `--only: got "${name}"; expected a comma-separated list of csv, ralph, clickhouse, fixtures, journeys`,
    );
  }
}

function parseCount(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
  if (!m) throw new Error(`--statements: got "${text}"; expected a number like 1000000, 500k or 10M`);
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 'm' ? 1e6 : m[2]?.toLowerCase() === 'k' ? 1e3 : 1));
}

const statements = parseCount(values.statements as string);
const workers = Number(values.workers);
const batchSize = Number(values['batch-size']);
const defaults = (await import('../src/config/index.ts')).KEY_DOCS.find((k) => k.key === 'csv_gzip_level');
const level = values.level ? Number(values.level) : Number(defaults?.default ?? 6);

const out = await mkdtemp(join(tmpdir(), 'xdl-bench-'));
// The shipped config's dataset shape (its course mix), scaled to `statements` with 10,000 actors.
const mixConfig = parseYaml(await readFile(new URL(mixFile, import.meta.url), 'utf8')) as Record<string, unknown>;
const MIX_KEYS = [
  'start_date',
  'end_date',
  'course_length_days',
  'num_organizations',
  'num_actor_profile_changes',
  'num_course_publishes',
  'num_course_sizes',
  'course_size_makeup',
];
const config = {
  ...Object.fromEntries(MIX_KEYS.filter((k) => k in mixConfig).map((k) => [k, mixConfig[k]])),
  backend: 'csv',
  csv_output_destination: out,
  csv_gzip_level: level,
  num_xapi_batches: Math.ceil(statements / batchSize),
  batch_size: batchSize,
  num_workers: workers,
  seed: 1,
  num_actors: 10_000,
};

console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}\n` +
    `config: ${statements.toLocaleString('en-US')} statements, ${values.mix} course mix, batch_size ${batchSize}, num_workers ${workers}, gzip level ${level}\n`,
);

const repeats = Number(values.repeats);
if (sections.has('csv'))
  try {
    const child = new URL('./csv-child.ts', import.meta.url).pathname;
    const runs: {
      statements: number;
      /** Spawn to exit of the child process: start-up included. */
      wallSeconds: number;
      /** `runLoadDb` alone, inside the process. */
      seconds: number;
      maxRssBytes: number;
      /** CPU of all the run's threads, start-up included. */
      cpuSeconds: number;
      xapiRawBytes: number;
      xapiBytes: number;
      totalRawBytes: number;
    }[] = [];
    const limits: number[] = [];
    const cpuRatios: number[] = [];
    // Interleaved repeats: run, gzip alone, run, gzip alone… so both see the same machine weather.
    for (let i = 0; i < repeats; i++) {
      const spawned = performance.now();
      const { stdout } = await run(process.execPath, [child, JSON.stringify(config)], { maxBuffer: 1 << 20 });
      const wallSeconds = (performance.now() - spawned) / 1000;
      const r = { ...JSON.parse(stdout.trim().split('\n').at(-1) as string), wallSeconds };
      runs.push(r);
      const bytesPerStatement = r.xapiRawBytes / r.statements;
      const limit = await measureGzipLimit(
        join(out, 'xapi.csv.gz'),
        level,
        workers,
        Math.round(bytesPerStatement * 4096),
        r.xapiRawBytes,
      );
      limits.push(limit.bytesPerSecond / bytesPerStatement);
      // CPU the limit needs for the run's bytes, over the CPU the run used.
      cpuRatios.push(r.xapiRawBytes / limit.bytesPerCpuSecond / r.cpuSeconds);
      process.stderr.write(
        `  repeat ${i + 1}/${repeats}: run ${Math.round(r.statements / wallSeconds)}/s, gzip alone ${Math.round(limit.bytesPerSecond / bytesPerStatement)}/s, CPU ratio ${((cpuRatios.at(-1) as number) * 100).toFixed(0)} %\n`,
      );
    }
    const last = runs.at(-1) as (typeof runs)[number];
    const rates = runs.map((r) => r.statements / r.wallSeconds);
    const bytesPerStatement = last.xapiRawBytes / last.statements;
    const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
    const n = (x: number) => Math.round(x).toLocaleString('en-US');
    const bestRate = Math.max(...rates);
    const bestLimit = Math.max(...limits);
    const peakRss = Math.max(...runs.map((r) => r.maxRssBytes));
    const rows = [
      [
        'csv load-db, process start to exit',
        `${n(bestRate)} statements/s`,
        `best of ${repeats}; median ${n(median(rates))}; ${mb(bestRate * bytesPerStatement)}/s raw`,
      ],
      [
        `gzip alone (level ${level}, ${workers} threads)`,
        `${n(bestLimit)} statements/s`,
        `best of ${repeats}; median ${n(median(limits))}; as many bytes as the run, 4,096-statement members`,
      ],
      [
        'ratio (best run / best limit)',
        `${((bestRate / bestLimit) * 100).toFixed(0)} %`,
        `medians: ${((median(rates) / median(limits)) * 100).toFixed(0)} %; target ≥ 70 %`,
      ],
      [
        'CPU ratio (gzip CPU / run CPU)',
        `${(Math.max(...cpuRatios) * 100).toFixed(0)} %`,
        `best of ${repeats}; median ${(median(cpuRatios) * 100).toFixed(0)} %; the share of the run's CPU that is gzip (start-up included)`,
      ],
      [
        'peak RSS (whole process)',
        mb(peakRss),
        `target < 400 MB at 10M statements${statements >= 10_000_000 ? (peakRss < 400e6 ? ': ok' : ': EXCEEDED') : ''}`,
      ],
      [
        'duration',
        `${median(runs.map((r) => r.wallSeconds)).toFixed(2)} s`,
        `median; outside runLoadDb (start-up, exit) ${median(runs.map((r) => r.wallSeconds - r.seconds)).toFixed(2)} s; ` +
          `${last.statements.toLocaleString('en-US')} statements, ${bytesPerStatement.toFixed(0)} B each`,
      ],
      ['xapi.csv.gz', mb(last.xapiBytes), `${(last.xapiRawBytes / last.xapiBytes).toFixed(1)}x compression`],
    ];
    const w0 = Math.max(...rows.map((x) => (x[0] as string).length));
    const w1 = Math.max(...rows.map((x) => (x[1] as string).length));
    for (const [a, b, c] of rows) console.log(`${(a as string).padEnd(w0)}  ${(b as string).padStart(w1)}  ${c}`);
    if (statements >= 10_000_000 && peakRss >= 400e6) process.exitCode = 1;
  } finally {
    await rm(out, { recursive: true, force: true });
  }

// ---- Ralph LRS: statements/s through a real Ralph, by requests in flight (bench/ralph.ts) ----
if (sections.has('ralph')) {
  const { benchRalph } = await import('./ralph.ts');
  await benchRalph({ statements: 10_000, batchSize: 1_000, inFlight: [1, 2, 4], repeats: 3 });
}

// ---- ClickHouse: the clickhouse backend into the embedded engine vs the engine's own ingest limit (bench/clickhouse.ts) ----
if (sections.has('clickhouse')) {
  const { benchClickHouse } = await import('./clickhouse.ts');
  await benchClickHouse({
    baseConfig: config,
    statements: parseCount(values['clickhouse-statements'] as string),
    batchSize,
    workers,
    repeats,
  });
}

// ---- Fixtures: seedAspects per test file — snapshot miss vs hit vs a bare engine start (bench/fixtures.ts) ----
if (sections.has('fixtures')) {
  const presets = (values['fixture-presets'] as string).split(',').map((x) => x.trim());
  for (const preset of presets) {
    if (!['tiny', 'small', 'medium'].includes(preset)) {
      throw new Error(`--fixture-presets: got "${preset}"; expected a comma-separated list of tiny, small, medium`);
    }
  }
  const { benchFixtures } = await import('./fixtures.ts');
  await benchFixtures({ presets, repeats });
}

// ---- Journeys: events/s and peak memory at the m size (bench/journeys.ts) ----
if (sections.has('journeys')) {
  const { benchJourneys } = await import('./journeys.ts');
  await benchJourneys({
    configFile: values['journeys-config'] as string,
    workers,
    sortEvents: values['journeys-sort'] as boolean,
  });
}
