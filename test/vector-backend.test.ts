/**
 * The vector backend: every line it emits is one Aspects' Vector config parses, and carries
 * exactly the generated statement; the output stream holds statement lines and nothing else.
 */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createVectorStatementSink } from '../src/backends/vector.ts';
import { createClickHouse } from '../src/clickhouse/connect.ts';
import { countRows } from '../src/clickhouse/counts.ts';
import { dropSchema, schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import { loadConfig } from '../src/config/index.ts';
import type { Config } from '../src/config/types.ts';
import { type DatasetPlan, planDataset, xapiChunk } from '../src/generate/dataset.ts';
import { render } from '../src/generate/template.ts';
import { buildWorld } from '../src/generate/world.ts';
import { runLoadDb } from '../src/run/runner.ts';
import { makeTestConfig } from './support/config.ts';

const run = promisify(execFile);
const CLI = new URL('../src/cli.ts', import.meta.url).pathname;

/**
 * The regex of Aspects' Vector config (tutor-contrib-aspects, `xapi_tracking` transform), with
 * Python's `(?P<name>…)` written as JavaScript's `(?<name>…)`.
 */
const ASPECTS_VECTOR_REGEX = /^.* \[xapi_tracking\] [^{}]* (?<tracking_message>\{.*\})$/;

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xdl-vector-'));
  dirs.push(dir);
  return dir;
}

/** The generated statements of xAPI chunks `from … to − 1`, as parsed JSON, in order. */
function generated(config: Config, plan: DatasetPlan, from: number, to: number): unknown[] {
  const world = buildWorld(config);
  const out: unknown[] = [];
  for (let i = from; i < to; i++) {
    for (const s of xapiChunk(world, plan, i)) out.push(JSON.parse(render(s.parts.template, s.parts.values, 'json')));
  }
  return out;
}

/** Checks every line against Aspects' regex; returns the captured statements. */
function parseLines(text: string): unknown[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const match = ASPECTS_VECTOR_REGEX.exec(line);
      expect(match, `line does not match Aspects' Vector regex: ${line.slice(0, 120)}`).not.toBeNull();
      expect(line.startsWith(' [xapi_tracking] [] {')).toBe(true);
      return JSON.parse(match?.groups?.tracking_message ?? '') as unknown;
    });
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('vector lines', () => {
  it('match the regex and carry exactly the generated statements, in order', async () => {
    const config = makeTestConfig({ backend: 'vector', numWorkers: 2, batchSize: 40, numXapiBatches: 5 });
    const out = capture();
    const result = await runLoadDb(config, { sink: createVectorStatementSink(config, { stdout: out.stream }) });

    const plan = result.plan;
    const lines = parseLines(out.text());
    expect(lines).toHaveLength(plan.tables.xapi.rows);
    expect(lines).toEqual(generated(config, plan, 0, plan.tables.xapi.chunks));
    expect(result.summary.tables.xapi).toMatchObject({ rows: plan.tables.xapi.rows, location: 'stdout' });
    expect(result.summary.notes.join('\n')).toContain(`${plan.tables.xapi.rows} statement lines written to stdout`);
  });

  it('also matches an LMS-style line (the regex is the one Aspects ships)', () => {
    const line =
      '2026-02-24 20:26:13,006 INFO 42 [xapi_tracking] [user None] [ip 172.19.0.1] logger.py:41 - {"id": "x", "verb": {}}';
    expect(ASPECTS_VECTOR_REGEX.exec(line)?.groups?.tracking_message).toBe('{"id": "x", "verb": {}}');
  });

  it('appends to vector_output when it is a file, like a log Vector tails', async () => {
    const dir = await tempDir();
    const path = join(dir, 'logs', 'tracking.log');
    const config = makeTestConfig({ backend: 'vector', vectorOutput: path, numXapiBatches: 2, batchSize: 25 });
    await runLoadDb(config, { sink: createVectorStatementSink(config) });
    const once = await readFile(path, 'utf8');
    await runLoadDb(config, { sink: createVectorStatementSink(config) });
    const twice = await readFile(path, 'utf8');
    expect(twice).toBe(once + once);
    expect(parseLines(once)).toHaveLength(planDataset(buildWorld(config)).tables.xapi.rows);
  });

  it('fails the run with the count written when the reader goes away', async () => {
    const config = makeTestConfig({ backend: 'vector', numXapiBatches: 20, batchSize: 50 });
    const stream = new PassThrough({ highWaterMark: 1 });
    let written = 0;
    stream.on('data', (chunk: Buffer) => {
      written += chunk.length;
      if (written > 10_000) stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    });
    const error = await runLoadDb(config, { sink: createVectorStatementSink(config, { stdout: stream }) }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/vector output stdout: writing failed: .*\d+ statement line\(s\) written before/);
  });
});

describe('vector backend (ClickHouse part on the embedded engine)', () => {
  const suffix = () => randomBytes(4).toString('hex');
  const yaml = (id: string, extra: string) =>
    [
      'backend: vector',
      'db_host: embedded',
      `db_name: xapi_${id}`,
      `db_event_sink_name: event_sink_${id}`,
      `db_reporting_name: reporting_${id}`,
      'optimize_final: false',
      'num_xapi_batches: 3',
      'batch_size: 40',
      'num_workers: 2',
      'start_date: 2020-01-01',
      'end_date: 2021-01-01',
      'course_length_days: 30',
      'num_organizations: 1',
      'num_actors: 6',
      'num_course_sizes: {small: 1}',
      'course_size_makeup:',
      '  small: {actors: 4, problems: 2, videos: 2, chapters: 1, sequences: 1, verticals: 2, forum_posts: 2}',
      extra,
      '',
    ].join('\n');

  it('CLI with vector_output "-": stdout holds the random statements as lines and nothing else', async () => {
    const dir = await tempDir();
    const id = suffix();
    await writeFile(join(dir, 'c.yaml'), yaml(id, ''));
    const { stdout, stderr } = await run(
      process.execPath,
      [CLI, 'load-db', '--config_file', 'c.yaml', '--progress', 'plain'],
      { cwd: dir, maxBuffer: 64 << 20 },
    );
    const config = await loadConfig(join(dir, 'c.yaml'), { env: {} });
    const plan = planDataset(buildWorld(config));
    // The random batches only: the initial enrollments went to ClickHouse, as the original.
    expect(parseLines(stdout)).toEqual(generated(config, plan, plan.enrollmentChunks, plan.tables.xapi.chunks));
    expect(plan.randomStatements).toBe(120);
    // Progress, logs and the summary all went to stderr.
    expect(stderr).toMatch(/progress: 100\.0%/);
    expect(stderr).toContain('Vector: 120 statement lines written to stdout');
    expect(stderr).toMatch(/xapi_events_all\s+124\s+124\s+4\s/);
  });

  it('writes lines to a file and the event-sink tables and enrollments to ClickHouse', async () => {
    const dir = await tempDir();
    const id = suffix();
    const path = join(dir, 'out', 'tracking.log');
    await writeFile(join(dir, 'c.yaml'), yaml(id, `vector_output: ${path}`));
    const config = await loadConfig(join(dir, 'c.yaml'), { env: {} });
    await using ch = await createClickHouse({ kind: 'embedded' });
    const names = schemaNamesFromConfig(config, config.dbReportingName);
    try {
      const result = await runLoadDb(config);
      const plan = result.plan;
      expect(parseLines(await readFile(path, 'utf8'))).toEqual(
        generated(config, plan, plan.enrollmentChunks, plan.tables.xapi.chunks),
      );
      const counts = await countRows(ch, names);
      expect(counts).toMatchObject({
        xapi_events_all: plan.enrollmentStatements,
        course_overviews: plan.tables.courseOverviews.rows,
        course_blocks: plan.tables.courseBlocks.rows,
        tag: 29,
        external_id: plan.tables.externalIds.rows,
        user_profile: plan.tables.userProfiles.rows,
      });
      expect(result.summary.tables.xapi?.rows).toBe(plan.tables.xapi.rows);
    } finally {
      await dropSchema(ch, names);
    }
  });
});
