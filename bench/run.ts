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
 */

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { measureGzipLimit } from './gzip-limit.ts';

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
  },
});

/** `--only csv,ralph,clickhouse,fixtures,journeys`: the sections to run (all by default). */
const sections = new Set((values.only ?? 'csv,ralph,clickhouse,fixtures,journeys').split(',').map((x) => x.trim()));
for (const name of sections) {
  if (!['csv', 'ralph', 'clickhouse', 'fixtures', 'journeys'].includes(name)) {
    throw new Error(`--only: got "${name}"; expected a comma-separated list of csv, ralph, clickhouse, fixtures, journeys`);
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
// The shipped default dataset shape (4 course sizes, P=50, R=5), scaled to `statements`.
const config = {
  backend: 'csv',
  csv_output_destination: out,
  csv_gzip_level: level,
  num_xapi_batches: Math.ceil(statements / batchSize),
  batch_size: batchSize,
  num_workers: workers,
  seed: 1,
  start_date: '2014-01-01',
  end_date: '2023-11-27',
  course_length_days: 120,
  num_organizations: 3,
  num_actors: 10_000,
  num_actor_profile_changes: 5,
  num_course_publishes: 50,
  num_course_sizes: { small: 1, medium: 1, large: 1, huge: 1 },
  course_size_makeup: {
    small: { actors: 5, problems: 20, videos: 10, chapters: 3, sequences: 10, verticals: 20, forum_posts: 20 },
    medium: { actors: 7, problems: 40, videos: 20, chapters: 4, sequences: 20, verticals: 30, forum_posts: 40 },
    large: { actors: 10, problems: 80, videos: 30, chapters: 5, sequences: 40, verticals: 80, forum_posts: 200 },
    huge: { actors: 10, problems: 160, videos: 40, chapters: 10, sequences: 50, verticals: 100, forum_posts: 1000 },
  },
};

console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}\n` +
    `config: ${statements.toLocaleString('en-US')} statements, batch_size ${batchSize}, num_workers ${workers}, gzip level ${level}\n`,
);

/** Median of a non-empty list. */
function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const repeats = Number(values.repeats);
if (sections.has('csv'))
  try {
    const child = new URL('./csv-child.ts', import.meta.url).pathname;
    const runs: {
      statements: number;
      seconds: number;
      maxRssBytes: number;
      xapiRawBytes: number;
      xapiBytes: number;
      totalRawBytes: number;
    }[] = [];
    const limits: number[] = [];
    // Interleaved repeats: run, gzip alone, run, gzip alone… so both see the same machine weather.
    for (let i = 0; i < repeats; i++) {
      const { stdout } = await run(process.execPath, [child, JSON.stringify(config)], { maxBuffer: 1 << 20 });
      const r = JSON.parse(stdout.trim().split('\n').at(-1) as string);
      runs.push(r);
      const bytesPerStatement = r.xapiRawBytes / r.statements;
      const limit = await measureGzipLimit(
        join(out, 'xapi.csv.gz'),
        level,
        workers,
        Math.round(bytesPerStatement * 4096),
      );
      limits.push(limit.bytesPerSecond / bytesPerStatement);
      process.stderr.write(
        `  repeat ${i + 1}/${repeats}: run ${Math.round(r.statements / r.seconds)}/s, gzip alone ${Math.round(limit.bytesPerSecond / bytesPerStatement)}/s\n`,
      );
    }
    const last = runs.at(-1) as (typeof runs)[number];
    const rates = runs.map((r) => r.statements / r.seconds);
    const rate = median(rates);
    const limitRate = median(limits);
    const bytesPerStatement = last.xapiRawBytes / last.statements;
    const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
    const spread = (xs: number[]) =>
      `${Math.round(Math.min(...xs)).toLocaleString('en-US')}–${Math.round(Math.max(...xs)).toLocaleString('en-US')}`;
    const rows = [
      [
        'csv load-db end to end',
        `${Math.round(rate).toLocaleString('en-US')} statements/s`,
        `median of ${repeats} (${spread(rates)}), ${mb(rate * bytesPerStatement)}/s raw`,
      ],
      [
        `gzip alone (level ${level}, ${workers} threads)`,
        `${Math.round(limitRate).toLocaleString('en-US')} statements/s`,
        `median of ${repeats} (${spread(limits)}), same bytes, 4,096-statement members`,
      ],
      ['ratio (run / gzip limit)', `${((rate / limitRate) * 100).toFixed(0)} %`, 'target ≥ 60 %'],
      [
        'peak RSS (whole process)',
        mb(Math.max(...runs.map((r) => r.maxRssBytes))),
        'target < 400 MB at 10M statements',
      ],
      [
        'duration',
        `${median(runs.map((r) => r.seconds)).toFixed(2)} s`,
        `${last.statements.toLocaleString('en-US')} statements, ${bytesPerStatement.toFixed(0)} B each`,
      ],
      ['xapi.csv.gz', mb(last.xapiBytes), `${(last.xapiRawBytes / last.xapiBytes).toFixed(1)}x compression`],
    ];
    const w0 = Math.max(...rows.map((x) => (x[0] as string).length));
    const w1 = Math.max(...rows.map((x) => (x[1] as string).length));
    for (const [a, b, c] of rows) console.log(`${(a as string).padEnd(w0)}  ${(b as string).padStart(w1)}  ${c}`);
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
