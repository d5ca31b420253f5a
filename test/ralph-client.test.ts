import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRalphClient, type RalphClientOptions, type RalphRetryEvent } from '../src/backends/ralph-client.ts';
import { ConfigError, SinkError } from '../src/errors.ts';
import {
  type BasicAuth,
  ralphInstalled,
  ralphSkipReason,
  readAllStatements,
  type StartedRalph,
  startRalph,
} from './support/ralph-server.ts';

const auth: BasicAuth = { username: 'ralph', password: 'pw-Zq8#not-in-messages' };
const lms = 'http://localhost:18000';
const course = `${lms}/course/course-v1:Org0+02453b+0`;
const courseParent = {
  id: course,
  objectType: 'Activity',
  definition: { name: { 'en-US': 'Demonstration Course' }, type: 'http://adlnet.gov/expapi/activities/course' },
};
const eventVersion =
  'https://github.com/openedx/event-routing-backends/blob/master/docs/xapi-extensions/eventVersion.rst';

type Statement = { readonly id: string } & Record<string, unknown>;

function actor(name: string): Record<string, unknown> {
  return { objectType: 'Agent', account: { homePage: lms, name } };
}

/** Four statements shaped like event-routing-backends output (behaviour reference §5.4), fresh ids. */
function makeStatements(): Statement[] {
  const learner = randomUUID();
  return [
    {
      id: randomUUID(),
      actor: actor(learner),
      context: {
        extensions: {
          'https://w3id.org/xapi/openedx/extension/transformer-version': 'event-routing-backends@7.0.1',
          'https://w3id.org/xapi/openedx/extensions/session-id': 'e4858858443cd99828206e294587dac5',
        },
      },
      object: {
        definition: {
          extensions: { 'https://w3id.org/xapi/acrossx/extensions/type': 'audit' },
          name: { en: 'Demonstration Course' },
          type: 'http://adlnet.gov/expapi/activities/course',
        },
        id: course,
        objectType: 'Activity',
      },
      timestamp: '2023-04-13T14:06:31+00:00',
      verb: { display: { en: 'registered' }, id: 'http://adlnet.gov/expapi/verbs/registered' },
      version: '1.0.3',
    },
    {
      id: randomUUID(),
      actor: actor(learner),
      context: {
        contextActivities: { parent: [courseParent] },
        extensions: { [eventVersion]: '1.0', 'https://w3id.org/xapi/video/extensions/length': 195.0 },
      },
      object: {
        definition: { type: 'https://w3id.org/xapi/video/activity-type/video' },
        id: `${lms}/xblock/block-v1:course-v1:Org0+02453b+0+type@video+block@fde1e993`,
        objectType: 'Activity',
      },
      result: { extensions: {} },
      timestamp: '2023-04-18T22:46:54+00:00',
      verb: { display: { en: 'initialized' }, id: 'http://adlnet.gov/expapi/verbs/initialized' },
      version: '1.0.3',
    },
    {
      id: randomUUID(),
      actor: actor(learner),
      context: {
        contextActivities: { parent: [courseParent] },
        extensions: { [eventVersion]: '1.0', 'https://w3id.org/xapi/video/extensions/length': 195.0 },
      },
      object: {
        definition: { type: 'https://w3id.org/xapi/video/activity-type/video' },
        id: `${lms}/xblock/block-v1:course-v1:Org0+02453b+0+type@video+block@30745291`,
        objectType: 'Activity',
      },
      result: { extensions: { 'https://w3id.org/xapi/video/extensions/time': 20.5 } },
      timestamp: '2023-06-15T19:51:58+00:00',
      verb: { display: { en: 'played' }, id: 'https://w3id.org/xapi/video/verbs/played' },
      version: '1.0.3',
    },
    {
      id: randomUUID(),
      actor: actor(learner),
      context: { contextActivities: { parent: [courseParent] }, extensions: { [eventVersion]: '1.0' } },
      timestamp: '2023-05-16T23:17:31+00:00',
      verb: { display: { en: 'attempted' }, id: 'http://adlnet.gov/expapi/verbs/attempted' },
      version: '1.0.3',
      object: {
        definition: { type: 'http://adlnet.gov/expapi/activities/cmi.interaction' },
        id: `${lms}/xblock/block-v1:course-v1:Org0+02453b+0+type@problem+block@35d0729d`,
        objectType: 'Activity',
      },
    },
  ];
}

function batch(statements: readonly Statement[]): [string, string[]] {
  return [JSON.stringify(statements), statements.map((s) => s.id)];
}

/** Waits recorded instead of slept, so backoff is checked exactly and costs nothing. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

async function rejection(promise: Promise<unknown>): Promise<SinkError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SinkError);
  return error as SinkError;
}

describe.skipIf(!ralphInstalled)(
  ralphInstalled
    ? 'ralph client against a real Ralph LRS'
    : `ralph client against a real Ralph LRS: ${ralphSkipReason}`,
  () => {
    let ralph: StartedRalph;
    beforeAll(async () => {
      ralph = await startRalph(auth);
    });
    afterAll(async () => {
      await ralph?.stop();
    });

    function client(extra: Partial<RalphClientOptions> = {}) {
      return createRalphClient({ url: ralph.statementsUrl, ...auth, sleep: async () => {}, ...extra });
    }

    it('stores a batch and reads it back page by page', async () => {
      await using fresh = await startRalph({ ...auth, maxSearchHitsCount: 3 });
      await using lrs = createRalphClient({ url: fresh.statementsUrl, ...auth });
      const statements = makeStatements();

      expect(await lrs.postBatch(...batch(statements))).toEqual({ inserted: 4, alreadyPresent: 0, retries: 0 });

      // A page holds at most 3, so this follows `more` once.
      const stored = await readAllStatements(fresh.statementsUrl, auth);
      expect(stored.map((s) => s.id).sort()).toEqual(statements.map((s) => s.id).sort());
      // Ralph adds `stored` and `authority`; everything we sent comes back as sent.
      const byId = new Map(stored.map((s) => [s.id, s]));
      for (const sent of statements) {
        const { stored: storedAt, authority, ...rest } = byId.get(sent.id)!;
        expect(rest).toEqual(sent);
        expect(typeof storedAt).toBe('string');
        expect(authority).toEqual({ account: { name: '__server_ralph', homePage: 'http://127.0.0.1' } });
      }
    });

    it('counts a re-posted batch as already present (204) and a half-new one as split (200)', async () => {
      await using lrs = client();
      const first = makeStatements();
      await lrs.postBatch(...batch(first));

      expect(await lrs.postBatch(...batch(first))).toEqual({ inserted: 0, alreadyPresent: 4, retries: 0 });

      const mixed = [first[0]!, first[1]!, ...makeStatements().slice(0, 3)];
      expect(await lrs.postBatch(...batch(mixed))).toEqual({ inserted: 3, alreadyPresent: 2, retries: 0 });
      expect(lrs.getStats()).toEqual({ batches: 3, inserted: 7, alreadyPresent: 6, retries: 0 });

      const ids = new Set((await readAllStatements(ralph.statementsUrl, auth)).map((s) => s.id));
      for (const s of mixed) expect(ids.has(s.id)).toBe(true);
    });

    it('fails on an id that Ralph holds with different content, naming the id (409)', async () => {
      await using lrs = client();
      const statements = makeStatements();
      await lrs.postBatch(...batch(statements));
      const changed = { ...statements[2]!, timestamp: '2023-06-15T19:52:00+00:00' };

      const innocent = makeStatements()[0]!;
      const error = await rejection(lrs.postBatch(...batch([innocent, changed])));
      expect(error.message).toContain(`statement ${changed.id} already exists in the LRS with different content`);
      expect(error.message).toContain('HTTP 409');
      expect(error.written).toEqual({ statements: 4 });
      // Ralph refuses the whole request: the new statement beside the conflict is not stored either.
      const ids = new Set((await readAllStatements(ralph.statementsUrl, auth)).map((s) => s.id));
      expect(ids.has(innocent.id)).toBe(false);
    });

    it('fails fast on a wrong password (401) without printing it', async () => {
      const { sleep, delays } = recordingSleep();
      await using lrs = client({ password: `${auth.password}-wrong`, sleep, maxRetries: 3 });

      const error = await rejection(lrs.postBatch(...batch(makeStatements())));
      expect(error.message).toMatch(/HTTP 401, the LRS refused the credentials/);
      expect(error.message).toContain('Invalid authentication credentials');
      expect(error.message).not.toContain(auth.password);
      expect(error.written).toEqual({ statements: 0 });
      expect(delays).toEqual([]);
    });

    it.each([
      {
        what: 'an invalid statement (422)',
        body: () => JSON.stringify([{ id: randomUUID(), verb: { id: 'http://x/v' } }]),
        expected: /HTTP 422, the LRS found the statements invalid: .*actor/,
      },
      {
        what: 'a batch repeating an id (400)',
        body: () => {
          const s = makeStatements()[0]!;
          return JSON.stringify([s, s]);
        },
        expected: /HTTP 400, .*Duplicate statement IDs/,
      },
    ])('fails fast on $what', async ({ body, expected }) => {
      const { sleep, delays } = recordingSleep();
      await using lrs = client({ sleep });
      const text = body();
      const ids = (JSON.parse(text) as Statement[]).map((s) => s.id);

      const error = await rejection(lrs.postBatch(text, ids));
      expect(error.message).toMatch(expected);
      expect(delays).toEqual([]);
    });

    it('retries when Ralph dies mid-run, then fails with only what was acknowledged', async () => {
      const doomed = await startRalph(auth);
      const { sleep, delays } = recordingSleep();
      const retries: RalphRetryEvent[] = [];
      await using lrs = createRalphClient({
        url: doomed.statementsUrl,
        ...auth,
        maxRetries: 3,
        retryBaseMs: 100,
        random: () => 0.5,
        sleep,
        onRetry: (event) => retries.push(event),
      });
      try {
        const acknowledged = makeStatements();
        expect(await lrs.postBatch(...batch(acknowledged))).toMatchObject({ inserted: 4 });

        await doomed.kill();
        const error = await rejection(lrs.postBatch(...batch(makeStatements())));

        expect(error.message).toMatch(/batch of 4 statement\(s\) failed after 3 retries: .*ECONNREFUSED/);
        expect(error.message).toContain('4 statement(s) acknowledged so far (4 inserted, 0 already present)');
        expect(error.written).toEqual({ statements: 4 });
        expect(delays).toEqual([50, 100, 200]); // full jitter at 0.5 of 100, 200, 400
        expect(retries.map((r) => r.retry)).toEqual([1, 2, 3]);

        // What Ralph wrote before dying is exactly the acknowledged batch.
        const lines = (await readFile(join(doomed.dataDir, 'fs_lrs.jsonl'), 'utf8')).trim().split('\n');
        expect(lines.map((l) => (JSON.parse(l) as Statement).id).sort()).toEqual(acknowledged.map((s) => s.id).sort());
      } finally {
        await doomed.stop();
      }
    });

    it('keeps its counts true when Ralph dies with batches in flight', async () => {
      const doomed = await startRalph(auth);
      await using lrs = createRalphClient({
        url: doomed.statementsUrl,
        ...auth,
        inFlight: 3,
        maxRetries: 2,
        sleep: async () => {},
      });
      try {
        const batches = Array.from({ length: 30 }, () => makeStatements());
        const pending = batches.map((b) => lrs.postBatch(...batch(b)));
        // Failures are collected below with allSettled; until then they must not count as unhandled.
        for (const p of pending) p.catch(() => {});
        // Kill as soon as the first batch is acknowledged: others are on the wire or queued.
        await pending[0];
        await doomed.kill();
        const settled = await Promise.allSettled(pending);

        const acked = batches.filter((_, i) => settled[i]!.status === 'fulfilled');
        const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
        expect(acked.length).toBeGreaterThanOrEqual(1);
        expect(failures.length).toBeGreaterThanOrEqual(1);
        for (const failure of failures) {
          expect(failure).toBeInstanceOf(SinkError);
          expect((failure as SinkError).written.statements).toBeLessThanOrEqual(acked.length * 4);
        }
        expect(lrs.getStats()).toMatchObject({ batches: acked.length, inserted: acked.length * 4 });

        // Every acknowledged statement is on disk. Ralph may also have stored a batch whose answer
        // never arrived (and may have died mid-line), so the file can hold more, never less.
        const text = await readFile(join(doomed.dataDir, 'fs_lrs.jsonl'), 'utf8');
        const onDisk = new Set(
          text.split('\n').flatMap((line) => {
            try {
              return [(JSON.parse(line) as Statement).id];
            } catch {
              return [];
            }
          }),
        );
        for (const s of acked.flat()) expect(onDisk.has(s.id)).toBe(true);
      } finally {
        await doomed.stop();
      }
    });
  },
);

/** A local HTTP server that answers from a script, for what a healthy Ralph never does (503, 429, silence). */
describe('ralph client against a scripted HTTP server', () => {
  type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
  let server: Server;
  let url: string;
  let script: Handler[] = [];
  const seen: { headers: IncomingMessage['headers']; body: string; remotePort: number | undefined }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({ headers: req.headers, body, remotePort: req.socket.remotePort });
        const next = script.shift() ?? ((_q, r) => r.writeHead(500).end('script exhausted'));
        next(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/xAPI/statements`;
  });
  afterEach(() => {
    script = [];
    seen.length = 0;
    server.closeAllConnections();
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('retries 503 and 429, honours Retry-After, and sends xAPI headers on one kept-alive connection', async () => {
    const ids = [randomUUID(), randomUUID()];
    script = [
      (_q, r) => r.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"busy"}'),
      (_q, r) => r.writeHead(429, { 'retry-after': '2' }).end('slow down'),
      (_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([ids[1]])),
    ];
    const { sleep, delays } = recordingSleep();
    await using lrs = createRalphClient({ url, ...auth, retryBaseMs: 100, random: () => 0.5, sleep });
    const body = JSON.stringify(ids.map((id) => ({ id })));

    expect(await lrs.postBatch(body, ids)).toEqual({ inserted: 1, alreadyPresent: 1, retries: 2 });
    expect(delays).toEqual([50, 2_000]);
    expect(seen).toHaveLength(3);
    for (const request of seen) {
      expect(request.body).toBe(body);
      expect(request.headers['x-experience-api-version']).toBe('1.0.3');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers.authorization).toBe(
        `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      );
    }
    expect(new Set(seen.map((r) => r.remotePort)).size).toBe(1);
  });

  it('gives up after maxRetries timeouts', async () => {
    script = [() => {}, () => {}]; // never answer
    const { sleep, delays } = recordingSleep();
    await using lrs = createRalphClient({ url, ...auth, timeoutMs: 200, maxRetries: 1, random: () => 0, sleep });

    const error = await rejection(lrs.postBatch('[]', []));
    expect(error.message).toContain('failed after 1 retry: no response within 200 ms');
    expect(delays).toEqual([0]);
  });

  it('rejects a 200 that lists an id it was not sent', async () => {
    const stray = randomUUID();
    script = [(_q, r) => r.writeHead(200).end(JSON.stringify([stray]))];
    await using lrs = createRalphClient({ url, ...auth });

    const error = await rejection(lrs.postBatch('[]', [randomUUID()]));
    expect(error.message).toContain(`stored id ${stray}, which is not among the 1 id(s)`);
  });

  it('probe: 404 and 401 stop the run before anything is made; 403 and 5xx let it go on', async () => {
    script = [
      (_q, r) => r.writeHead(404).end('Not Found'),
      (_q, r) =>
        r.writeHead(401, { 'www-authenticate': 'Basic' }).end('{"detail":"Invalid authentication credentials"}'),
      (_q, r) => r.writeHead(403).end('{"detail":"not allowed to read"}'),
      (_q, r) => r.writeHead(503).end('busy'),
    ];
    await using lrs = createRalphClient({ url, ...auth });
    const notFound = await rejection(lrs.probe());
    expect(notFound.message).toBe(
      `Ralph at ${url}: checking the endpoint before sending: HTTP 404, no statements endpoint at this URL ` +
        '(it usually ends in /xAPI/statements): Not Found; 0 statement(s) acknowledged so far (0 inserted, 0 already present)',
    );
    expect((await rejection(lrs.probe())).message).toMatch(/HTTP 401, the LRS refused the credentials/);
    await lrs.probe();
    await lrs.probe();
    expect(seen.map((r) => r.headers['x-experience-api-version'])).toEqual(['1.0.3', '1.0.3', '1.0.3', '1.0.3']);
  });

  it('probe: an LRS that refuses connections is named with the reason', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await using lrs = createRalphClient({ url: `http://127.0.0.1:${port}/xAPI/statements`, ...auth });
    const error = await rejection(lrs.probe());
    expect(error.message).toMatch(
      new RegExp(`^Ralph at http://127\\.0\\.0\\.1:${port}/xAPI/statements: cannot reach the LRS: .*ECONNREFUSED`),
    );
  });

  it('reports every invalid option at once', () => {
    expect(() =>
      createRalphClient({ url: 'ftp://lrs', username: '', password: 'x', maxRetries: -1, inFlight: 0 }),
    ).toThrowError(
      new ConfigError(
        [
          { key: 'url', message: 'url: got "ftp://lrs"; expected an http:// or https:// URL' },
          { key: 'username', message: 'username: got ""; expected a non-empty string' },
          { key: 'maxRetries', message: 'maxRetries: got -1; expected an integer >= 0' },
          { key: 'inFlight', message: 'inFlight: got 0; expected an integer >= 1' },
        ],
        { source: 'the Ralph client options' },
      ),
    );
  });

  it('never echoes credentials given inside the URL', () => {
    expect(() => createRalphClient({ url: 'http://u:hunter2@lrs/xAPI/statements', ...auth })).toThrowError(
      /url: contains credentials; pass them as username and password instead/,
    );
  });
});
