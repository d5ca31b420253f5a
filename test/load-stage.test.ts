/**
 * The load stage (src/load/): guard, ledger, refusals and their advice, failed and interrupted
 * loads — the regressions D4–D8 of issue #9, against the embedded engine (one chdb engine per
 * process: every case uses its own randomly named databases) and the CLI in a child process.
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { countRows } from '../src/clickhouse/counts.ts';
import { schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import { resolveConfig } from '../src/config/index.ts';
import type { Config } from '../src/config/types.ts';
import { InterruptedError, SinkError, XapiDbLoadError } from '../src/errors.ts';
import { TABLE_KEYS } from '../src/formats/tables.ts';
import { planDataset } from '../src/generate/dataset.ts';
import { buildWorld } from '../src/generate/world.ts';
import { runCsvBulkLoad } from '../src/load/csv.ts';
import { readLedger, TargetNotEmptyError } from '../src/load/index.ts';
import { runNativeLoad } from '../src/load/native.ts';
import { countsByTableName } from '../src/load/verify.ts';
import { runLoadDb } from '../src/run/runner.ts';

let ch: ClickHouse;
const dirs: string[] = [];

beforeAll(async () => {
  ch = await createClickHouse({ kind: 'embedded' });
});
afterAll(async () => {
  await ch?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xdl-load-stage-'));
  dirs.push(dir);
  return dir;
}

const SMALL = {
  num_xapi_batches: 4,
  batch_size: 100,
  num_workers: 1,
  start_date: '2020-01-01',
  end_date: '2021-01-01',
  course_length_days: 60,
  num_organizations: 1,
  num_actors: 10,
  num_course_sizes: { small: 2 },
  course_size_makeup: {
    small: { actors: 5, problems: 3, videos: 2, chapters: 2, sequences: 2, verticals: 2, forum_posts: 2 },
  },
};

/** A small dataset written to `destination`, loaded into fresh databases of the shared engine. */
function makeConfig(backend: 'csv' | 'chdb', destination: string, overrides: Record<string, unknown> = {}): Config {
  const id = randomBytes(4).toString('hex');
  return resolveConfig(
    {
      backend,
      ...(backend === 'csv' ? { csv_output_destination: destination } : { native_output_destination: destination }),
      db_host: 'embedded',
      db_name: `xapi_${id}`,
      db_event_sink_name: `event_sink_${id}`,
      db_reporting_name: `reporting_${id}`,
      ...SMALL,
      ...overrides,
    },
    { source: 'test' },
  );
}

function expectedCounts(config: Config): Record<string, number> {
  const plan = planDataset(buildWorld(config));
  return countsByTableName(Object.fromEntries(TABLE_KEYS.map((key) => [key, plan.tables[key].rows])));
}

async function counts(config: Config): Promise<Record<string, number>> {
  return { ...(await countRows(ch, schemaNamesFromConfig(config, config.dbReportingName))) };
}

function names(config: Config) {
  return schemaNamesFromConfig(config, config.dbReportingName);
}

describe('D4: Native files with one xAPI file missing', () => {
  it('--load_db_only refuses before loading anything, naming the table and both counts', async () => {
    const dir = await tempDir();
    const config = makeConfig('chdb', dir, { load_from_s3_after: false });
    await runLoadDb(config);
    const xapiFiles = (await readdir(dir)).filter((n) => /^xapi_\d+_\d+\.native\.lz4$/.test(n));
    expect(xapiFiles.length).toBeGreaterThan(0);
    await unlink(join(dir, xapiFiles[0] as string));

    const error = await runNativeLoad(config, { clickhouse: ch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XapiDbLoadError);
    const message = (error as Error).message;
    expect(message).toContain(`${config.dbName}.xapi_events_all files hold`);
    expect(message).toContain(`the dataset ${expectedCounts(config).xapi_events_all?.toLocaleString('en-US')}`);
    expect(message).toContain('Files are missing');
    expect(message).not.toMatch(/Verified/);
    // Refused before the schema was even created: nothing exists in ClickHouse.
    const rs = await ch.client.query({
      query: 'SELECT count() AS n FROM system.databases WHERE name = {db:String}',
      query_params: { db: config.dbName },
      format: 'JSONEachRow',
    });
    expect(Number((await rs.json<{ n: string }>())[0]?.n)).toBe(0);
  });
});

describe('D5: a load that fails half-way (truncated xapi.csv.gz)', () => {
  it('lists the tables it filled, marks the ledger failed, refuses a second load, and --reset loads it cleanly', async () => {
    const dir = await tempDir();
    const config = makeConfig('csv', dir);
    await runLoadDb(config);
    const xapi = join(dir, 'xapi.csv.gz');
    await truncate(xapi, Math.floor((await stat(xapi)).size / 2));

    const failed = await runCsvBulkLoad(config, { clickhouse: ch }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SinkError);
    const message = (failed as Error).message;
    expect(message).toMatch(/Tables this load filled before it stopped: course_overviews \d+, course_blocks \d+/);
    expect(message).toMatch(/marks load [0-9a-f]{16} failed at xAPI/);
    const blocks = expectedCounts(config).course_blocks;
    expect((await counts(config)).course_blocks).toBe(blocks);
    const ledger = await readLedger(ch, names(config));
    expect(ledger.map((e) => [e.state, e.phase])).toEqual([['failed', 'xAPI (in time order)']]);
    expect(ledger[0]?.rows.course_blocks).toBe(blocks);

    // The files are fixed; the same command is refused, saying what is there; nothing doubles.
    await runLoadDb(config);
    const refused = await runCsvBulkLoad(config, { clickhouse: ch }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TargetNotEmptyError);
    expect((refused as Error).message).toMatch(/partially loaded, failed at xAPI \(in time order\)/);
    expect((refused as Error).message).toContain('Nothing was written');
    expect((await counts(config)).course_blocks).toBe(blocks);

    // --reset says what it drops, drops, recreates and loads.
    const lines: string[] = [];
    const result = await runCsvBulkLoad(config, { clickhouse: ch, reset: true, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/--reset: .* partially loaded, failed at xAPI.*Dropping the databases/);
    expect(result.verification).toBe('verified');
    expect(await counts(config)).toEqual(expectedCounts(config));
    const after = await readLedger(ch, names(config));
    expect(after.map((e) => e.state)).toEqual(['complete']);
  });
});

describe('D6: another dataset into databases that hold one', () => {
  it('is refused before anything is written, never advising a second seed', async () => {
    const dir = await tempDir();
    const config = makeConfig('csv', dir);
    await runLoadDb(config);
    await runCsvBulkLoad(config, { clickhouse: ch });
    const loaded = await counts(config);

    const again = await runCsvBulkLoad(config, { clickhouse: ch }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(TargetNotEmptyError);
    expect((again as Error).message).toContain('already loaded (complete)');

    const otherDir = await tempDir();
    const other = resolveConfig(
      {
        backend: 'csv',
        csv_output_destination: otherDir,
        db_host: 'embedded',
        db_name: config.dbName,
        db_event_sink_name: config.dbEventSinkName,
        db_reporting_name: config.dbReportingName,
        ...SMALL,
        seed: 2,
      },
      { source: 'test' },
    );
    await runLoadDb(other);
    const error = await runCsvBulkLoad(other, { clickhouse: ch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetNotEmptyError);
    const message = (error as Error).message;
    expect(message).toMatch(/holds other data: dataset [0-9a-f]{16} loaded on /);
    expect(message).toContain('set db_name, db_event_sink_name and db_reporting_name to new databases');
    expect(message).toContain('--reset');
    expect(message).not.toMatch(/seed/i);
    // The first dataset is untouched: fixed-id rows (taxonomy, tag, …) were not overwritten.
    expect(await counts(config)).toEqual(loaded);
    expect((await readLedger(ch, names(config))).map((e) => e.state)).toEqual(['complete']);
  });

  it('says "holds other data" for rows no load recorded', async () => {
    const dir = await tempDir();
    const config = makeConfig('csv', dir);
    await runLoadDb(config);
    await runCsvBulkLoad(config, { clickhouse: ch });
    await ch.client.command({ query: `TRUNCATE TABLE ${config.dbName}.xapi_db_load_ledger` });
    const error = await runCsvBulkLoad(config, { clickhouse: ch }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/holds other data \(.*no load recorded in .*xapi_db_load_ledger\)/);
  });
});

describe('D8: partial files of killed runs', () => {
  it('the next run removes and reports them; a running process keeps its own', async () => {
    const dir = await tempDir();
    const config = makeConfig('csv', dir);
    // pid 2^22+1 is above Linux's pid_max default: no such process.
    const dead = join(dir, 'xapi.csv.gz.partial-4194305');
    // The parent of this test process is alive: its files are left alone.
    const alive = join(dir, `tags.csv.gz.partial-${process.ppid}`);
    await writeFile(dead, Buffer.alloc(1024 * 1024));
    await writeFile(alive, 'x');
    const lines: string[] = [];
    await runLoadDb(config, { log: (l) => lines.push(l) });
    expect(lines.join('\n')).toContain(
      `Removed 1 unfinished file(s) that killed runs left in ${dir} (1.0 MB): xapi.csv.gz.partial-4194305`,
    );
    const left = await readdir(dir);
    expect(left).not.toContain('xapi.csv.gz.partial-4194305');
    expect(left).toContain(`tags.csv.gz.partial-${process.ppid}`);
    await rm(alive);
  });
});

const CLI = new URL('../src/cli.ts', import.meta.url).pathname;

/** Runs the CLI; calls `onLine` for each stderr line (it may signal the child). */
function runCli(
  args: string[],
  cwd: string,
  onLine: (line: string, child: ReturnType<typeof spawn>) => void = () => {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      pending += d.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) onLine(line, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout }));
  });
}

/** A `backend: clickhouse` config into `embedded:<dir>/chdb`: 1,000-statement batches, 3 small courses. */
function clickhouseYaml(dir: string, size: { batches: number; endDate: string; courseDays: number }): string {
  return [
    'backend: clickhouse',
    `db_host: "embedded:${join(dir, 'chdb')}"`,
    `num_xapi_batches: ${size.batches}`,
    'batch_size: 1000',
    'num_workers: 1',
    'start_date: 2020-01-01',
    `end_date: ${size.endDate}`,
    `course_length_days: ${size.courseDays}`,
    'num_organizations: 1',
    'num_actors: 50',
    'num_course_sizes: {small: 3}',
    'course_size_makeup:',
    '  small: {actors: 20, problems: 5, videos: 4, chapters: 2, sequences: 2, verticals: 2, forum_posts: 2}',
    'log_dir: null',
    '',
  ].join('\n');
}

describe('D7: SIGTERM twice (as `timeout` sends) while xAPI is loading', () => {
  it('stops with exit 143, says what was loaded, marks the ledger; the next run says "interrupted at"', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'c.yaml'), clickhouseYaml(dir, { batches: 40, endDate: '2021-01-01', courseDays: 60 }));
    let sent = false;
    const first = await runCli(['load-db', '--config_file', 'c.yaml', '--progress', 'none'], dir, (line, child) => {
      if (!sent && /^Loading [\d,]+ xAPI statements .* in time order/.test(line)) {
        sent = true;
        child.kill('SIGTERM');
      }
      // The second SIGTERM, once the first is being handled (pending signals of one kind merge).
      if (line.startsWith('SIGTERM: stopping')) child.kill('SIGTERM');
    });
    expect(sent, first.stderr).toBe(true);
    expect(first.signal, first.stderr).toBeNull();
    expect(first.code, first.stderr).toBe(143);
    expect(first.stderr).toContain('SIGTERM again: already stopping');
    expect(first.stderr).toMatch(/error: load-db stopped: terminated \(SIGTERM\)/);
    expect(first.stderr).toMatch(/Rows in ClickHouse from this load before it stopped: .*courseOverviews=\d+/);

    const second = await runCli(['load-db', '--config_file', 'c.yaml', '--progress', 'none'], dir);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(/partially loaded, interrupted at .*: terminated \(SIGTERM\)/);
    expect(second.stderr).toContain('--reset');
  }, 180_000);
});

describe('Ctrl-C in the middle of a month range on the embedded engine', () => {
  it('cancels the running statement: exit 130 within seconds, the ledger interrupted, nothing of the range counted', async () => {
    const dir = await tempDir();
    // One month range of ~100k statements: several seconds of loading on a shared machine.
    await writeFile(join(dir, 'c.yaml'), clickhouseYaml(dir, { batches: 100, endDate: '2020-03-01', courseDays: 30 }));
    let signalledAt = 0;
    const run = await runCli(['load-db', '--config_file', 'c.yaml', '--progress', 'none'], dir, (line, child) => {
      if (signalledAt === 0 && /^Loading [\d,]+ xAPI statements .* in time order \(1 range/.test(line)) {
        // Well inside the range's statement (it takes seconds), not between ranges.
        setTimeout(() => {
          signalledAt = performance.now();
          child.kill('SIGINT');
        }, 300);
      }
    });
    const stoppedAfterMs = performance.now() - signalledAt;
    expect(signalledAt, run.stderr).toBeGreaterThan(0);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toMatch(/error: load-db stopped: interrupted \(SIGINT\)/);
    // The range was cancelled, not waited for: no xAPI rows counted as loaded.
    expect(run.stderr).toMatch(/Rows in ClickHouse from this load before it stopped: .*courseOverviews=\d+/);
    expect(run.stderr).not.toMatch(/before it stopped: .*xapi=/);
    expect(stoppedAfterMs, run.stderr).toBeLessThan(4_000);

    const next = await runCli(['load-db', '--config_file', 'c.yaml', '--progress', 'none'], dir);
    expect(next.code, next.stderr).toBe(1);
    expect(next.stderr).toMatch(/partially loaded, interrupted at xAPI \(in time order\).*: interrupted \(SIGINT\)/);
  }, 240_000);
});

describe('interrupting the load stage', () => {
  it('an aborted loadDataset marks the ledger interrupted and throws InterruptedError with exit 130', async () => {
    const dir = await tempDir();
    const config = makeConfig('csv', dir);
    await runLoadDb(config);
    const controller = new AbortController();
    const error = await runCsvBulkLoad(config, {
      clickhouse: ch,
      signal: controller.signal,
      log: (line) => {
        if (line.startsWith('Inserting from') && line.includes('blocks.csv.gz')) {
          controller.abort(InterruptedError.fromSignal('SIGINT'));
        }
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(130);
    expect((error as Error).message).toMatch(/Load stopped \(interrupted \(SIGINT\)\) at event-sink tables/);
    const [entry] = await readLedger(ch, names(config));
    expect(entry?.state).toBe('interrupted');
    expect(entry?.rows.course_overviews).toBe(expectedCounts(config).course_overviews);
  });
});
