/**
 * The CLI with S3: `load-db` to s3:// with `load_from_s3_after`, `load-db-from-s3`,
 * `load-db --load_db_only`, and their failures (exit codes, messages, no secret anywhere).
 * The S3-protocol server (s3rver) runs in this process on 127.0.0.1; the CLI runs as a child
 * process with the embedded engine.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvSink } from '../src/backends/csv.ts';
import { resolveConfig } from '../src/config/index.ts';
import { SinkError } from '../src/errors.ts';
import { TABLE_KEYS, TABLES } from '../src/formats/tables.ts';
import type { ProgressReporter } from '../src/run/progress.ts';
import { runLoadDb } from '../src/run/runner.ts';
import { MIN_PART_SIZE_BYTES, s3Destination, s3SettingsFromConfig } from '../src/storage/s3.ts';
import { S3RVER_KEY, type StartedS3Server, startS3Server, TEST_SECRET } from './support/s3-server.ts';

const run = promisify(execFile);
const CLI = new URL('../src/cli.ts', import.meta.url).pathname;
const BUCKET = 'cli';
let server: StartedS3Server;
const dirs: string[] = [];

beforeAll(async () => {
  server = await startS3Server();
  await server.createBucket(BUCKET);
});
afterAll(async () => {
  await server?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xdl-s3-cli-'));
  dirs.push(dir);
  return dir;
}

/** A config for the CLI; the secret comes from the environment, as users are told to do. */
function yaml(lines: Record<string, string>): string {
  const base: Record<string, string> = {
    backend: 'csv',
    s3_endpoint: server.endpoint,
    s3_key: S3RVER_KEY,
    db_host: 'embedded',
    num_xapi_batches: '2',
    batch_size: '50',
    num_workers: '2',
    start_date: '2020-01-01',
    end_date: '2021-01-01',
    course_length_days: '30',
    num_organizations: '2',
    num_actors: '8',
    ...lines,
  };
  return `${Object.entries(base)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}
num_course_sizes:
  small: 2
course_size_makeup:
  small: {actors: 4, problems: 3, videos: 3, chapters: 2, sequences: 2, verticals: 2, forum_posts: 2}
`;
}

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout, stderr and the run log together. */
  readonly all: string;
}

async function cli(args: string[], config: string): Promise<CliResult> {
  const cwd = await tempDir();
  await writeFile(join(cwd, 'c.yaml'), config);
  const env = { ...process.env, XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY: TEST_SECRET };
  let result: { code: number; stdout: string; stderr: string };
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args, '--config_file', 'c.yaml'], { cwd, env });
    result = { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    result = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  const runLog = await readFile(join(cwd, 'logs', 'db_load.log'), 'utf8').catch(() => '');
  return { ...result, all: `${result.stdout}\n${result.stderr}\n${runLog}` };
}

describe('xapi-db-load with S3', () => {
  // A function: the server's endpoint is known only once beforeAll ran.
  const written = () =>
    yaml({
      csv_output_destination: `s3://${BUCKET}/run1`,
      s3_source_location: `s3://${BUCKET}/run1`,
      load_from_s3_after: 'true',
    });

  it('load-db writes the eight objects, then loads and verifies them (load_from_s3_after)', async () => {
    const r = await cli(['load-db', '--progress', 'none'], written());
    expect(r.code, r.stderr).toBe(0);
    expect(await server.listKeys(BUCKET, 'run1/')).toEqual(TABLE_KEYS.map((k) => `run1/${TABLES[k].csvFile}`).sort());
    expect(r.stderr).toContain('Attempting to load to ClickHouse from S3...');
    expect(r.stderr).toContain(
      `Inserting from ${server.endpoint}/${BUCKET}/run1/xapi.csv.gz into xapi.xapi_events_all`,
    );
    expect(r.stdout).toMatch(/^xapi\.xapi_events_all +108 +108 /m);
    expect(r.stdout).toContain(
      'Verified: every table gained the expected rows (expected rows: the dataset this run wrote)',
    );
    expect(r.stdout).toMatch(/^Aspects reports: \d+ learners enrolled, \d+ video plays, \d+ problem attempts$/m);
    expect(r.all).not.toContain(TEST_SECRET);
  });

  it('load-db-from-s3 and load-db --load_db_only load the same files without generating', async () => {
    for (const args of [['load-db-from-s3'], ['load-db', '--load_db_only']]) {
      const r = await cli(args, written());
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('Generating');
      expect(r.stdout).toMatch(/^xapi\.xapi_events_all +108 +108 /m);
      expect(r.stdout).toMatch(/Verified: .*the files' first event id matches/);
      expect(r.all).not.toContain(TEST_SECRET);
    }
  });

  it('load-db-from-s3 works whatever the backend, as 1.5.0 did', async () => {
    const r = await cli(
      ['load-db-from-s3'],
      yaml({ backend: 'clickhouse', s3_source_location: `${server.endpoint}/${BUCKET}/run1/` }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^event_sink\.tag +29 +29 /m);
  });

  it('--load_db_only with no files at the location lists them all and exits 1', async () => {
    const r = await cli(['load-db', '--load_db_only'], yaml({ csv_output_destination: `s3://${BUCKET}/empty/` }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: Cannot load: 8 of 8 CSV files missing at ${server.endpoint}/${BUCKET}/empty/ (csv_output_destination): ` +
        'courses.csv.gz, blocks.csv.gz, object_tags.csv.gz, taxonomies.csv.gz, tags.csv.gz, external_ids.csv.gz, user_profiles.csv.gz, xapi.csv.gz.',
    );
    // Checked before anything else happens on ClickHouse.
    expect(r.stderr).not.toContain('Creating the Aspects schema');
    expect(r.all).not.toContain(TEST_SECRET);
  });

  it('a missing bucket fails before generating, naming bucket and endpoint, exit 1', async () => {
    const r = await cli(['load-db'], yaml({ csv_output_destination: 's3://no-such-bucket/run/' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: csv_output_destination: bucket "no-such-bucket" does not exist at endpoint ${server.endpoint}; create it first (or check s3_endpoint)`,
    );
    expect(r.stderr).not.toContain('Generating');
    expect(r.all).not.toContain(TEST_SECRET);
  });

  it('rejected credentials fail early with the key id, never the secret', async () => {
    const r = await cli(['load-db'], yaml({ csv_output_destination: `s3://${BUCKET}/x/`, s3_key: 'NOT-A-KEY' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rejected the credentials \(s3_key "NOT-A-KEY"\)/);
    expect(r.all).not.toContain(TEST_SECRET);
  });

  it.each(['clickhouse', 'vector'])(
    '--load_db_only with backend %s explains which backends support it (exit 2)',
    async (backend) => {
      const r = await cli(['load-db', '--load_db_only'], yaml({ backend }));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `--load_db_only: backend "${backend}" writes straight to \\w+, so there are no files to load; only the csv and chdb backends support it`,
        ),
      );
    },
  );
});

describe('a failed run writing to S3', () => {
  it('leaves no object under the prefix (interrupted while uploading xapi.csv.gz past its first part)', async () => {
    const config = resolveConfig({
      backend: 'csv',
      csv_output_destination: `s3://${BUCKET}/failed/`,
      s3_endpoint: server.endpoint,
      s3_key: S3RVER_KEY,
      s3_secret: TEST_SECRET,
      num_xapi_batches: 64,
      batch_size: 1000,
      num_workers: 2,
      start_date: '2020-01-01',
      end_date: '2021-01-01',
      course_length_days: 60,
      num_organizations: 2,
      num_actors: 20,
      num_course_sizes: { small: 2 },
      course_size_makeup: {
        small: { actors: 6, problems: 5, videos: 4, chapters: 2, sequences: 3, verticals: 3, forum_posts: 3 },
      },
    });
    const sink = createCsvSink(
      config,
      s3Destination(config.csvOutputDestination as string, s3SettingsFromConfig(config), {
        partSizeBytes: MIN_PART_SIZE_BYTES,
      }),
    );
    // Interrupt the run near the end of xapi.csv.gz (written last, over 5 MiB by then): the
    // seven event-sink files are complete but not committed, and xAPI parts are uploaded.
    const controller = new AbortController();
    let total = 0;
    const progress: ProgressReporter = {
      start: (n) => {
        total = n;
      },
      update: (done) => {
        if (done >= total * 0.95) controller.abort(new Error('interrupted by the test'));
      },
      finish: () => {},
    };
    const error = await runLoadDb(config, { sink, progress, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).message).toContain('interrupted by the test');
    expect(await server.listKeys(BUCKET, 'failed/')).toEqual([]);
    // Only checkWritable's probe object was ever created there (and deleted right away).
    const created = server.created.filter((c) => c.key.startsWith('failed/')).map((c) => c.key);
    expect(created.filter((key) => !key.startsWith('failed/.xapi-db-load-probe-'))).toEqual([]);
  });
});
