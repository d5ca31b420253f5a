/**
 * The ralph backend end to end, against the real Ralph LRS (PyPI `ralph-malph`, filesystem
 * backend) started on 127.0.0.1 and the embedded ClickHouse: Ralph ends up holding exactly the
 * generated statements and ClickHouse the event-sink rows and initial enrollments; a re-run adds
 * nothing; a wrong password fails at once with exit 1; a Ralph that dies mid-run fails the run
 * with counts of what it really acknowledged.
 */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRalphStatementSink, RalphSinkError } from '../src/backends/ralph.ts';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { countRows } from '../src/clickhouse/counts.ts';
import { dropSchema, schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import type { Config } from '../src/config/types.ts';
import { SinkError } from '../src/errors.ts';
import { type DatasetPlan, planDataset, xapiChunk } from '../src/generate/dataset.ts';
import { render } from '../src/generate/template.ts';
import { buildWorld } from '../src/generate/world.ts';
import type { ProgressReporter } from '../src/run/progress.ts';
import { runLoadDb } from '../src/run/runner.ts';
import { formatInt } from '../src/util/format.ts';
import { makeTestConfig } from './support/config.ts';
import {
  type BasicAuth,
  ralphInstalled,
  ralphSkipReason,
  readAllStatements,
  type StartedRalph,
  startRalph,
} from './support/ralph-server.ts';

const run = promisify(execFile);
const CLI = new URL('../src/cli.ts', import.meta.url).pathname;
const auth: BasicAuth = { username: 'ralph', password: 'pw-Kx7!never-printed' };

/** A tiny world (one course, 5 enrollments), 6 batches of 50, its own ClickHouse databases. */
function ralphConfig(ralph: StartedRalph, overrides: Partial<Config> = {}): Config {
  const suffix = randomBytes(4).toString('hex');
  return makeTestConfig({
    backend: 'ralph',
    lrsUrl: ralph.statementsUrl,
    lrsUsername: auth.username,
    lrsPassword: auth.password,
    lrsMaxRetries: 2,
    numWorkers: 3,
    batchSize: 50,
    numXapiBatches: 6,
    dbHost: 'embedded',
    dbName: `xapi_${suffix}`,
    dbEventSinkName: `event_sink_${suffix}`,
    dbReportingName: `reporting_${suffix}`,
    optimizeFinal: false,
    ...overrides,
  });
}

/** The statements of xAPI chunks `from … to − 1`, as parsed JSON, in order. */
function statementsOf(config: Config, plan: DatasetPlan, from: number, to: number): { id: string }[] {
  const world = buildWorld(config);
  const out: { id: string }[] = [];
  for (let i = from; i < to; i++) {
    for (const s of xapiChunk(world, plan, i)) out.push(JSON.parse(render(s.parts.template, s.parts.values, 'json')));
  }
  return out;
}

const sortedIds = (xs: readonly { id: string }[]): string[] => xs.map((x) => x.id).sort();

/** Statement ids in Ralph's fs backend file; a line cut by a crash is skipped. */
async function idsOnDisk(ralph: StartedRalph): Promise<Set<string>> {
  const text = await readFile(join(ralph.dataDir, 'fs_lrs.jsonl'), 'utf8').catch(() => '');
  return new Set(
    text.split('\n').flatMap((line) => {
      try {
        return [(JSON.parse(line) as { id: string }).id];
      } catch {
        return [];
      }
    }),
  );
}

describe.skipIf(!ralphInstalled)(
  ralphInstalled ? 'ralph backend against a real Ralph' : `ralph backend: ${ralphSkipReason}`,
  () => {
    let ralph: StartedRalph;
    /** Held open for the whole file: embedded databases live as long as one connection does. */
    let ch: ClickHouse;
    const configs: Config[] = [];
    beforeAll(async () => {
      [ralph, ch] = await Promise.all([startRalph(auth), createClickHouse({ kind: 'embedded' })]);
    });
    afterAll(async () => {
      await ralph?.stop();
      for (const config of configs) await dropSchema(ch, schemaNamesFromConfig(config, config.dbReportingName));
      await ch?.close();
    });

    async function ids(config: Config, query: string): Promise<string[]> {
      const rs = await ch.client.query({
        query: query.replace('{raw}', `${config.dbName}.${config.eventRawTableName}`),
        format: 'JSONEachRow',
      });
      return (await rs.json<{ id: string }>()).map((r) => r.id).sort();
    }

    it('loads: Ralph holds the generated statements, ClickHouse the event-sink rows and enrollments; a re-run adds nothing', async () => {
      const config = ralphConfig(ralph, { seed: 21 });
      configs.push(config);
      const first = await runLoadDb(config);
      const plan = first.plan;
      const random = statementsOf(config, plan, plan.enrollmentChunks, plan.tables.xapi.chunks);
      const enrollments = statementsOf(config, plan, 0, plan.enrollmentChunks);
      expect(random).toHaveLength(300);
      expect(enrollments).toHaveLength(5);

      // Read back through the xAPI API, 100 per page: the generated statements, nothing else,
      // each exactly as generated (Ralph only adds `stored` and `authority`).
      const stored = await readAllStatements(ralph.statementsUrl, auth);
      expect(stored).toHaveLength(random.length);
      expect(sortedIds(stored)).toEqual(sortedIds(random));
      const byId = new Map(stored.map((s) => [s.id, s]));
      for (const sent of random) {
        const { stored: _at, authority: _by, ...rest } = byId.get(sent.id) ?? { id: '' };
        expect(rest).toEqual(sent);
      }

      // ClickHouse: every event-sink table as planned, the initial enrollments in the raw table.
      const counts = await countRows(ch, schemaNamesFromConfig(config, config.dbReportingName));
      expect(counts).toEqual({
        xapi_events_all: enrollments.length,
        course_overviews: plan.tables.courseOverviews.rows,
        course_blocks: plan.tables.courseBlocks.rows,
        object_tag: plan.tables.objectTags.rows,
        taxonomy: 1,
        tag: 29,
        external_id: plan.tables.externalIds.rows,
        user_profile: plan.tables.userProfiles.rows,
      });
      expect(await ids(config, 'SELECT toString(event_id) AS id FROM {raw}')).toEqual(sortedIds(enrollments));

      expect(first.summary.tables.xapi?.rows).toBe(305);
      expect(first.summary.notes[0]).toBe(
        'Ralph: 300 statements sent in 6 batches (up to 3 in flight): 300 inserted, 0 already present, 0 retries, 0 failed',
      );

      // The same dataset again. New ClickHouse databases: the ClickHouse part verifies what a load
      // adds, and identical event-sink rows collapse in ReplacingMergeTree tables (see clickhouse.ts).
      const rerun = ralphConfig(ralph, { seed: 21 });
      configs.push(rerun);
      const again = await runLoadDb(rerun);
      expect(again.summary.notes.slice(0, 2)).toEqual([
        'Ralph: 300 statements sent in 6 batches (up to 3 in flight): 0 inserted, 300 already present, 0 retries, 0 failed',
        'Ralph already held every statement: a re-run of the same config and seed (statement ids are deterministic) adds nothing.',
      ]);
      expect(await readAllStatements(ralph.statementsUrl, auth)).toHaveLength(random.length);
    });

    it('posts the initial enrollments too with ralph_send_enrollments', async () => {
      await using fresh = await startRalph(auth);
      const config = ralphConfig(fresh, { seed: 22, ralphSendEnrollments: true, numXapiBatches: 2 });
      configs.push(config);
      const result = await runLoadDb(config);
      const plan = result.plan;
      const all = statementsOf(config, plan, 0, plan.tables.xapi.chunks);
      expect(sortedIds(await readAllStatements(fresh.statementsUrl, auth))).toEqual(sortedIds(all));
      expect(await ids(config, 'SELECT toString(event_id) AS id FROM {raw}')).toEqual([]);
      expect(result.summary.notes[0]).toMatch(/^Ralph: 105 statements sent in 3 batches .*: 105 inserted/);
      expect(result.summary.tables.courseBlocks?.rows).toBe(plan.tables.courseBlocks.rows);
    });

    it('stops at once on a wrong password: HTTP 401, exit 1, the password printed nowhere', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'xdl-ralph-cli-'));
      try {
        const yaml = [
          'backend: ralph_clickhouse',
          `lrs_url: ${ralph.statementsUrl}`,
          'lrs_username: ralph',
          'db_host: embedded',
          'num_xapi_batches: 2',
          'batch_size: 20',
          'num_workers: 1',
          'start_date: 2020-01-01',
          'end_date: 2021-01-01',
          'course_length_days: 30',
          'num_organizations: 1',
          'num_actors: 4',
          'num_course_sizes: {small: 1}',
          'course_size_makeup:',
          '  small: {actors: 2, problems: 1, videos: 1, chapters: 1, sequences: 1, verticals: 1, forum_posts: 1}',
          '',
        ].join('\n');
        await writeFile(join(dir, 'c.yaml'), yaml);
        const wrong = 'Wr0ng-Passw0rd-xyz';
        const outcome = await run(process.execPath, [CLI, 'load-db', '--config_file', 'c.yaml', '--progress', 'none'], {
          cwd: dir,
          env: { ...process.env, XAPI_DB_LOAD_RALPH_PASSWORD: wrong },
        }).then(
          ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
          (e: { code: number; stdout: string; stderr: string }) => ({
            code: e.code,
            stdout: e.stdout,
            stderr: e.stderr,
          }),
        );
        expect(outcome.code, outcome.stderr).toBe(1);
        expect(outcome.stderr).toContain(
          `error: Ralph at ${ralph.statementsUrl}: checking the endpoint before sending: HTTP 401, ` +
            'the LRS refused the credentials (check the username and password): {"detail":"Invalid authentication credentials"}',
        );
        const logText = await readFile(join(dir, 'logs', 'db_load.log'), 'utf8').catch(() => '');
        for (const text of [outcome.stdout, outcome.stderr, logText]) expect(text).not.toContain(wrong);
        expect(outcome.stdout).toBe('');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('retries when Ralph dies mid-run, then fails with exactly what Ralph acknowledged', async () => {
      const doomed = await startRalph(auth);
      try {
        const config = ralphConfig(doomed, { seed: 23, numXapiBatches: 40, numWorkers: 2 });
        configs.push(config);
        const plan = planDataset(buildWorld(config));
        const lines: string[] = [];
        // Kill Ralph once a third of the statements were handed to the sink: some batches are
        // acknowledged, some are on the wire, the rest not sent yet.
        let killed: Promise<void> | undefined;
        const progress: ProgressReporter = {
          start: () => {},
          update: (done) => {
            if (!killed && done >= plan.tables.xapi.rows / 3) killed = doomed.kill();
          },
          finish: () => {},
        };
        const error = await runLoadDb(config, { progress, log: (line) => lines.push(line) }).then(
          () => undefined,
          (e: unknown) => e,
        );
        await killed;

        expect(error).toBeInstanceOf(SinkError);
        const failure = error as SinkError;
        const ralphFailure = failure.cause as RalphSinkError;
        expect(ralphFailure).toBeInstanceOf(RalphSinkError);
        const { stats } = ralphFailure;
        const acknowledged = stats.inserted + stats.alreadyPresent;
        const [head, counts, clickhouse] = failure.message.split('\n');
        expect(head).toMatch(
          new RegExp(
            `^Ralph at ${doomed.statementsUrl}: a batch of 50 statements failed after 2 retries: .*ECONNREFUSED`,
          ),
        );
        expect(counts).toBe(
          `Ralph acknowledged ${formatInt(acknowledged)} of the ${formatInt(plan.randomStatements)} statements before the run stopped ` +
            `(${formatInt(stats.inserted)} inserted, 0 already present, ${stats.acknowledgedChunks.length} ` +
            `batch${stats.acknowledgedChunks.length === 1 ? '' : 'es'}); ` +
            `${formatInt(stats.failed)} in ${stats.failedBatches} failed batch${stats.failedBatches === 1 ? '' : 'es'} may or may not be stored; ` +
            `${formatInt(plan.randomStatements - stats.sent)} never sent; ${stats.retries} retries.`,
        );
        expect(clickhouse).toMatch(
          /^Rows loaded into ClickHouse before the failure: course_overviews=1, course_blocks=64, .*, xapi_events_all \(initial enrollments\)=5$/,
        );
        expect(failure.message).not.toContain(auth.password);
        expect(failure.written).toMatchObject({ xapi: 5 + acknowledged, courseOverviews: 1 });
        expect(acknowledged).toBeGreaterThan(0);
        expect(acknowledged).toBeLessThan(plan.randomStatements);
        expect(stats.retries).toBeGreaterThanOrEqual(2);
        const retryLines = lines.filter((l) => l.startsWith('Ralph: retry '));
        expect(retryLines).toHaveLength(stats.retries);
        expect(retryLines[0]).toMatch(/^Ralph: retry 1\/2 of a batch of 50 statement\(s\) in \d+ ms, after: /);
        expect(stats.sent).toBe(acknowledged + stats.failed);

        // Ralph's own file: every acknowledged statement is there. A batch whose answer was lost
        // in the crash may be there too, so the file may hold more, but only from failed batches.
        const onDisk = await idsOnDisk(doomed);
        const world = buildWorld(config);
        for (const index of stats.acknowledgedChunks) {
          expect(index).toBeGreaterThanOrEqual(plan.enrollmentChunks);
          for (const s of xapiChunk(world, plan, index)) expect(onDisk.has(s.eventId)).toBe(true);
        }
        expect(onDisk.size).toBeGreaterThanOrEqual(acknowledged);
        expect(onDisk.size).toBeLessThanOrEqual(acknowledged + stats.failed);
      } finally {
        await doomed.stop();
      }
    });
  },
);

describe('ralph backend against an LRS that never answers', () => {
  it('an interrupt stops the run at once, cuts the POSTs on the wire and says what was acknowledged', async () => {
    const hung = new Set<import('node:http').ServerResponse>();
    const controller = new AbortController();
    const server = createServer((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"statements":[]}');
        return;
      }
      hung.add(res); // read nothing, answer nothing
      // Both requests in flight are hanging: the user presses Ctrl-C.
      if (hung.size === 2) setTimeout(() => controller.abort(new Error('interrupted (SIGINT)')), 50);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/xAPI/statements`;
    try {
      const config = makeTestConfig({
        backend: 'ralph',
        lrsUrl: url,
        lrsUsername: 'ralph',
        lrsPassword: 'x',
        numWorkers: 2,
        batchSize: 20,
        numXapiBatches: 20,
      });
      const lines: string[] = [];
      const log = (line: string) => lines.push(line);
      const sink = createRalphStatementSink(config, { log, signal: controller.signal });
      const started = performance.now();
      const error = await runLoadDb(config, { sink, log, signal: controller.signal }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      // The default timeout is 120 s: returning this fast means the POSTs were cut, not waited for.
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(error?.message).toMatch(/interrupted \(SIGINT\)/);
      expect(lines.at(-1)).toMatch(
        /^Ralph acknowledged 0 of the 405 statements before the run stopped \(0 inserted, 0 already present\); 25 in cut or failed batches may or may not be stored\.$/,
      );
    } finally {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
