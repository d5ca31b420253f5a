/**
 * Fixture section of `npm run bench`: what `seedAspects(preset)` costs a test file in a fresh
 * process (embedded engine), beside a bare engine start measured in the same run:
 *
 * - bare engine start: a process that opens chdb on an empty directory and runs `SELECT 1`;
 * - full miss: nothing cached (generate the dataset, load it, build the snapshot, clone it);
 * - snapshot miss: dataset cached, snapshot missing (load + build + clone);
 * - no snapshot: `snapshot: false`, the dataset loaded into the engine (what every test file
 *   paid before snapshots);
 * - snapshot hit: clone the snapshot, open the engine on it, verify the counts.
 *
 * Times are wall clock of the whole child process (node start, imports, seed, close), as a test
 * runner's fork sees them. Hits and bare starts are interleaved and their medians reported.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median } from './median.ts';

const run = promisify(execFile);

export interface FixtureBenchOptions {
  readonly presets: readonly string[];
  readonly repeats: number;
}

interface ChildResult {
  readonly wallMs: number;
  readonly snapshot?: string | null;
  readonly cacheHit?: boolean;
  readonly statements?: number;
}

const CHILD = new URL('./fixture-child.ts', import.meta.url).pathname;

async function child(args: string[]): Promise<ChildResult> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, [CHILD, ...args], {
    maxBuffer: 1 << 20,
    env: { ...process.env, XAPI_DB_LOAD_CACHE_DIR: '' },
  });
  const wallMs = performance.now() - started;
  return { ...JSON.parse(stdout.trim().split('\n').at(-1) as string), wallMs };
}

function expectState(r: ChildResult, snapshot: string | null, what: string): void {
  if (r.snapshot !== snapshot)
    throw new Error(`fixture bench: ${what} reported snapshot ${r.snapshot}, expected ${snapshot}`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export async function benchFixtures(options: FixtureBenchOptions): Promise<void> {
  console.log('\nfixtures: seedAspects(preset) in a fresh process, embedded engine (wall clock of the process)');
  const rows: string[][] = [];
  const bares: number[] = [];
  for (const preset of options.presets) {
    const cacheDir = await mkdtemp(join(tmpdir(), `xdl-bench-fixture-${preset}-`));
    try {
      const fullMiss = await child(['seed', preset, cacheDir]);
      expectState(fullMiss, 'built', 'full miss');
      await rm(join(cacheDir, 'snapshots'), { recursive: true, force: true });
      const snapshotMiss = await child(['seed', preset, cacheDir]);
      expectState(snapshotMiss, 'built', 'snapshot miss');
      const noSnapshot = await child(['seed', preset, cacheDir, 'nosnapshot']);
      expectState(noSnapshot, null, 'no snapshot');
      const hits: number[] = [];
      const presetBares: number[] = [];
      // Interleaved: a bare start, a hit, a bare start… so both see the same machine weather.
      for (let i = 0; i < options.repeats; i++) {
        const empty = await mkdtemp(join(tmpdir(), 'xdl-bench-bare-'));
        try {
          presetBares.push((await child(['bare', empty])).wallMs);
        } finally {
          await rm(empty, { recursive: true, force: true });
        }
        const hit = await child(['seed', preset, cacheDir]);
        expectState(hit, 'hit', 'hit');
        hits.push(hit.wallMs);
      }
      bares.push(...presetBares);
      const hit = median(hits);
      const bare = median(presetBares);
      const statements = (fullMiss.statements ?? 0).toLocaleString('en-US');
      rows.push(
        [
          `${preset} (${statements} statements)`,
          'full miss',
          seconds(fullMiss.wallMs),
          'generate + load + build + clone',
        ],
        ['', 'snapshot miss', seconds(snapshotMiss.wallMs), 'dataset cached: load + build + clone'],
        ['', 'no snapshot', seconds(noSnapshot.wallMs), 'dataset cached, loaded (before snapshots)'],
        [
          '',
          'snapshot hit',
          seconds(hit),
          `median of ${options.repeats}; ${(hit / bare).toFixed(1)}× bare start (${seconds(bare)}), ` +
            `${((hit / snapshotMiss.wallMs) * 100).toFixed(0)} % of the snapshot miss, ` +
            `${((hit / noSnapshot.wallMs) * 100).toFixed(0)} % of no snapshot`,
        ],
      );
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  }
  rows.push([
    'bare engine start',
    '',
    seconds(median(bares)),
    `median of ${bares.length}, node + chdb + SELECT 1 on an empty directory`,
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  for (const r of rows) {
    console.log(
      `${(r[0] as string).padEnd(widths[0] as number)}  ${(r[1] as string).padEnd(widths[1] as number)}  ${(r[2] as string).padStart(widths[2] as number)}  ${r[3]}`,
    );
  }
  console.log('targets: small hit ≤ 12× bare start and ≤ 25 % of the miss; medium hit ≤ 2 s');
}
