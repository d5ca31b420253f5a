/** The CLI as users run it: exit codes, messages, what is (not) left on disk. */

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCsvSink } from '../src/backends/csv.ts';
import { resolveConfig } from '../src/config/index.ts';
import { SinkError } from '../src/errors.ts';
import { runLoadDb } from '../src/run/runner.ts';
import type { Destination } from '../src/storage/destination.ts';
import { localDestination } from '../src/storage/local.ts';
import { runCli } from './support/cli.ts';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xdl-cli-'));
  dirs.push(dir);
  return dir;
}

const VALID = `backend: csv
csv_output_destination: out/
num_xapi_batches: 2
batch_size: 50
num_workers: 2
start_date: 2020-01-01
end_date: 2021-01-01
course_length_days: 30
num_organizations: 2
num_actors: 8
num_course_sizes:
  small: 2
course_size_makeup:
  small: {actors: 4, problems: 3, videos: 3, chapters: 2, sequences: 2, verticals: 2, forum_posts: 2}
`;

const cli = runCli;

describe('xapi-db-load CLI', () => {
  it('load-db writes the eight files, prints progress on stderr and a summary on stdout', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'c.yaml'), VALID);
    const r = await cli(['load-db', '--config_file', 'c.yaml', '--progress', 'plain'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual([
      'blocks.csv.gz',
      'courses.csv.gz',
      'external_ids.csv.gz',
      'object_tags.csv.gz',
      'tags.csv.gz',
      'taxonomies.csv.gz',
      'user_profiles.csv.gz',
      'xapi.csv.gz',
    ]);
    expect(r.stderr).toMatch(/progress: 100\.0% 108\/108 statements/);
    expect(r.stdout).toMatch(/xapi_events_all\s+108\s+108/);
    expect(r.stdout).toMatch(/statements\/s/);
  });

  it('reports every config problem at once, exits 2 and generates nothing', async () => {
    const dir = await tempDir();
    const bad = VALID.replace('num_xapi_batches: 2', 'num_xapi_batches: ten')
      .replace('start_date: 2020-01-01', 'start_date: 2022-01-01')
      .concat('num_workerz: 3\n');
    await writeFile(join(dir, 'c.yaml'), bad);
    const r = await cli(['load-db', '--config_file', 'c.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('num_xapi_batches: got "ten"');
    expect(r.stderr).toContain('Start date must be before end date');
    expect(r.stderr).toContain('num_workerz: unknown key; did you mean "num_workers"?');
    expect(r.stderr).toContain('(3 problems)');
    expect(await readdir(dir)).toEqual(['c.yaml']);
  });

  it('never prints a secret, even when the value is invalid', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'c.yaml'), `${VALID}lrs_password: [s3cr3t-Value-42]\n`);
    const r = await cli(['load-db', '--config_file', 'c.yaml'], dir, {
      XAPI_DB_LOAD_CLICKHOUSE_PASSWORD: 'env-S3CRET-9',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lrs_password');
    expect(r.stderr + r.stdout).not.toContain('s3cr3t-Value-42');
    expect(r.stderr + r.stdout).not.toContain('env-S3CRET-9');
  });

  it('a missing config file is a usage error naming the path', async () => {
    const dir = await tempDir();
    const r = await cli(['load-db', '--config_file', 'nope.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.yaml');
  });

  it('an unwritable destination fails before any work, exit 1, naming the key', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a-file'), 'not a directory');
    await writeFile(join(dir, 'c.yaml'), VALID.replace('out/', 'a-file/out/'));
    const r = await cli(['load-db', '--config_file', 'c.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/csv_output_destination: cannot write to ".*a-file\/out"/);
    // Nothing but the run log, which records the failure.
    expect((await readdir(dir)).sort()).toEqual(['a-file', 'c.yaml', 'logs']);
    expect(await readdir(join(dir, 'logs'))).toEqual(['db_load.log']);
    expect(await readFile(join(dir, 'logs', 'db_load.log'), 'utf8')).toMatch(
      /ERROR +csv_output_destination: cannot write/,
    );
  });

  it('usage errors exit 2; --help exits 0 and explains the options', async () => {
    const dir = await tempDir();
    expect((await cli(['load-db', '--no-such-option'], dir)).code).toBe(2);
    const help = await cli(['load-db', '--help'], dir);
    expect(help.code).toBe(0);
    for (const option of ['--config_file', '--load_db_only', '--progress', '--quiet', 'Exit codes']) {
      expect(help.stdout).toContain(option);
    }
  });
});

describe('a failure in the middle of a run', () => {
  it('leaves no file that looks complete, and reports what was written', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    const config = resolveConfig({
      ...(await import('yaml')).parse(VALID),
      csv_output_destination: out,
      num_xapi_batches: 20,
    });
    const real = localDestination(out);
    // A destination whose disk fills up when the xAPI file (written last) is being written.
    const failing: Destination = {
      ...real,
      async createFile(name) {
        const writer = await real.createFile(name);
        return {
          ...writer,
          async write(data) {
            if (name === 'xapi.csv.gz') throw new Error('ENOSPC: no space left on device');
            await writer.write(data);
          },
        };
      },
    };
    const error = await runLoadDb(config, { sink: createCsvSink(config, failing) }).catch((e) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect(error.message).toContain('ENOSPC');
    expect(error.message).toMatch(/Rows handed to the sink before the failure: .*courseOverviews=\d+/);
    expect(error.exitCode).toBe(1);
    expect(await readdir(out)).toEqual([]);
  });
});
