/**
 * ClickHouse section of `npm run bench`: statements/s generated and loaded into the embedded
 * engine (chdb) by the clickhouse backend, with the Aspects schema's materialized views on,
 * beside the engine's own ingest limit measured in the same run on the same rows:
 * `INSERT INTO raw SELECT * FROM file()` of the xapi.csv a csv run wrote (uncompressed, event-sink
 * tables loaded and dictionaries reloaded first, same insert settings). Repeats are interleaved
 * (load, limit, load, limit…) so both see the same machine weather; medians are reported.
 */

import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { median } from './median.ts';

const run = promisify(execFile);

export interface ClickHouseBenchOptions {
  /** The dataset shape (raw config keys); backend, destination and database keys are set here. */
  readonly baseConfig: Record<string, unknown>;
  readonly statements: number;
  readonly batchSize: number;
  readonly workers: number;
  readonly repeats: number;
}

async function child(args: string[]): Promise<Record<string, number>> {
  const script = new URL('./clickhouse-child.ts', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, [script, ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string);
}

export async function benchClickHouse(options: ClickHouseBenchOptions): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'xdl-bench-ch-'));
  try {
    const shape = {
      ...options.baseConfig,
      num_xapi_batches: Math.ceil(options.statements / options.batchSize),
      batch_size: options.batchSize,
      num_workers: options.workers,
    };
    // The same rows as files: a csv run, its xapi.csv.gz unzipped for the limit.
    const dataset = join(work, 'dataset');
    const csvChild = new URL('./csv-child.ts', import.meta.url).pathname;
    await run(
      process.execPath,
      [csvChild, JSON.stringify({ ...shape, backend: 'csv', csv_output_destination: dataset })],
      {
        maxBuffer: 1 << 20,
      },
    );
    const plainXapi = join(work, 'xapi.csv');
    await pipeline(createReadStream(join(dataset, 'xapi.csv.gz')), createGunzip(), createWriteStream(plainXapi));

    console.log(
      `\nClickHouse (embedded chdb, Aspects schema with its materialized views): ${options.statements.toLocaleString('en-US')} statements, ` +
        `num_workers ${options.workers}, xapi_load_order chronological`,
    );
    const loads: { rate: number; optimize: number; rss: number }[] = [];
    const limits: { rate: number; rss: number }[] = [];
    for (let i = 0; i < options.repeats; i++) {
      const loadConfig = {
        ...shape,
        backend: 'clickhouse',
        db_host: `embedded:${join(work, `chdb-load-${i}`)}`,
        optimize_final: false,
      };
      const load = await child(['load', JSON.stringify(loadConfig)]);
      loads.push({
        rate: (load.statements as number) / (load.loadSeconds as number),
        optimize: load.optimizeSeconds as number,
        rss: load.maxRssBytes as number,
      });
      const limitConfig = { ...loadConfig, db_host: `embedded:${join(work, `chdb-limit-${i}`)}` };
      const limit = await child(['limit', JSON.stringify(limitConfig), dataset, plainXapi]);
      limits.push({ rate: (limit.statements as number) / (limit.seconds as number), rss: limit.maxRssBytes as number });
      process.stderr.write(
        `  repeat ${i + 1}/${options.repeats}: backend ${Math.round(loads.at(-1)?.rate ?? 0)}/s, ` +
          `engine limit ${Math.round(limits.at(-1)?.rate ?? 0)}/s\n`,
      );
      await rm(join(work, `chdb-load-${i}`), { recursive: true, force: true });
      await rm(join(work, `chdb-limit-${i}`), { recursive: true, force: true });
    }
    const rate = median(loads.map((l) => l.rate));
    const limitRate = median(limits.map((l) => l.rate));
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const spread = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
    const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
    const rows = [
      [
        'clickhouse load-db (generate + load)',
        `${fmt(rate)} statements/s`,
        `median of ${options.repeats} (${spread(loads.map((l) => l.rate))}), one file per month, loaded month by month in time order`,
      ],
      [
        'engine limit: INSERT … SELECT FROM file()',
        `${fmt(limitRate)} statements/s`,
        `median of ${options.repeats} (${spread(limits.map((l) => l.rate))}), same rows, uncompressed CSV`,
      ],
      ['ratio (load / engine limit)', `${((rate / limitRate) * 100).toFixed(0)} %`, 'target ≥ 50 %'],
      [
        'OPTIMIZE … FINAL after the load',
        `${median(loads.map((l) => l.optimize)).toFixed(2)} s`,
        'not in the rates above (optimize_final: true, the default, adds it)',
      ],
      [
        'peak RSS (load / limit process)',
        `${mb(Math.max(...loads.map((l) => l.rss)))} / ${mb(Math.max(...limits.map((l) => l.rss)))}`,
        'whole process, engine included',
      ],
    ];
    const w0 = Math.max(...rows.map((x) => (x[0] as string).length));
    const w1 = Math.max(...rows.map((x) => (x[1] as string).length));
    for (const [a, b, c] of rows) console.log(`${(a as string).padEnd(w0)}  ${(b as string).padStart(w1)}  ${c}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
