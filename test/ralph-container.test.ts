/**
 * The Ralph container definition. Without Docker: its spec, and the auth bootstrap it runs at
 * startup, executed by the Python of the local Ralph venv (the same `bcrypt` and the same Ralph
 * auth-file parser the image has). With Docker: a real ClickHouse + Ralph on one network.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createClickHouse } from '../src/clickhouse/connect.ts';
import {
  loadTestcontainers,
  RALPH_AUTH_BOOTSTRAP_PY,
  RALPH_IMAGE,
  RalphContainer,
  type StartedNetworkLike,
} from '../src/testing/ralph-container.ts';
import { ralphInstalled, ralphSkipReason, ralphVenv, readAllStatements } from './support/ralph-server.ts';

const run = promisify(execFile);

describe('Ralph container spec', () => {
  const spec = new RalphContainer()
    .withClickHouse({ host: 'clickhouse', username: 'ch_admin', password: 'ch-secret' })
    .withCredentials('lrs', 'lrs-secret')
    .getSpec();

  it('runs the image Aspects deploys, with the uvicorn server command behind the auth bootstrap', () => {
    expect(spec.image).toBe('fundocker/ralph:4.1.0');
    expect(RALPH_IMAGE).toBe(spec.image);
    const server = spec.command.slice(spec.command.indexOf('--') + 1);
    expect(server).toEqual(['uvicorn', 'ralph.api:app', '--proxy-headers', '--host', '0.0.0.0', '--port', '8100']);
    expect(spec.command.slice(0, 3)).toEqual(['python', '-c', RALPH_AUTH_BOOTSTRAP_PY]);
  });

  it("points Ralph's ClickHouse backend at the container alias and its in-network port", () => {
    expect(spec.environment).toMatchObject({
      RALPH_RUNSERVER_BACKEND: 'clickhouse',
      RALPH_BACKENDS__LRS__CLICKHOUSE__HOST: 'clickhouse',
      RALPH_BACKENDS__LRS__CLICKHOUSE__PORT: '8123',
      RALPH_BACKENDS__LRS__CLICKHOUSE__DATABASE: 'xapi',
      RALPH_BACKENDS__LRS__CLICKHOUSE__EVENT_TABLE_NAME: 'xapi_events_all',
      RALPH_BACKENDS__LRS__CLICKHOUSE__USERNAME: 'ch_admin',
      RALPH_BACKENDS__LRS__CLICKHOUSE__PASSWORD: 'ch-secret',
    });
    expect(spec.environment.RALPH_AUTH_FILE).toBe(spec.command[4]);
  });

  it('waits on /__heartbeat__ (200 only once Ralph can query ClickHouse) and exposes 8100', () => {
    expect(spec.wait).toEqual({ path: '/__heartbeat__', port: 8100, statusCode: 200 });
    expect(spec.exposedPorts).toEqual([8100]);
    expect(spec.networkAliases).toEqual(['ralph']);
  });

  it('needs a ClickHouse backend', () => {
    expect(() => new RalphContainer().getSpec()).toThrowError(/call withClickHouse/);
  });
});

describe.skipIf(!ralphInstalled)(
  ralphInstalled ? 'Ralph container auth bootstrap' : `Ralph container auth bootstrap: ${ralphSkipReason}`,
  () => {
    it("writes an auth.json that Ralph's own parser reads and whose bcrypt hash checks the password", async () => {
      const dir = await mkdtemp(join(tmpdir(), 'xdl-ralph-boot-'));
      try {
        const spec = new RalphContainer()
          .withClickHouse({ username: 'u', password: 'p' })
          .withCredentials('lrs', 'pä55 "word"')
          .getSpec();
        const users = join(dir, 'users.json');
        const auth = join(dir, 'auth', 'auth.json');
        await writeFile(users, spec.files[0]?.content ?? '');
        // After `--` the bootstrap execs this check instead of the server.
        const check = [
          'import sys, bcrypt',
          'from ralph.api.auth.basic import get_stored_credentials',
          'user = get_stored_credentials(sys.argv[1])[0]',
          'print(user.username, bcrypt.checkpw(sys.argv[2].encode(), user.hash.encode()), sorted(user.scopes))',
        ].join('\n');
        const python = join(ralphVenv, 'bin', 'python');
        const { stdout } = await run(
          python,
          ['-c', RALPH_AUTH_BOOTSTRAP_PY, users, auth, '--', python, '-c', check, auth, 'pä55 "word"'],
          { env: { ...process.env, RALPH_RUNSERVER_BACKEND: 'fs' } },
        );
        expect(stdout.trim()).toBe("lrs True ['ralph_scope']");
        const written = JSON.parse(await readFile(auth, 'utf8')) as { hash: string }[];
        expect(written[0]?.hash).toMatch(/^\$2b\$10\$/);
        expect(JSON.stringify(written)).not.toContain('pä55');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);

/** Docker present or not, decided once: the reason is one line. */
const docker = await loadTestcontainers().then(
  () => ({ ok: true as const, reason: '' }),
  (error: unknown) => ({ ok: false as const, reason: (error as { reason?: string }).reason ?? String(error) }),
);

describe.skipIf(!docker.ok)(
  docker.ok
    ? 'Ralph container with ClickHouse (Docker)'
    : `Ralph container with ClickHouse: Docker not available: ${docker.reason}`,
  () => {
    it('stores statements posted to Ralph in the ClickHouse container', { timeout: 300_000 }, async () => {
      const tc = (await import('testcontainers' as string)) as {
        Network: new () => { start(): Promise<StartedNetworkLike & { stop(): Promise<unknown> }> };
      };
      const chModule = (await import('@testcontainers/clickhouse' as string)) as {
        ClickHouseContainer: new (
          image: string,
        ) => {
          withNetwork(n: unknown): { withNetworkAliases(a: string): { start(): Promise<StartedClickHouse> } };
        };
      };
      interface StartedClickHouse {
        getClientOptions(): { url: string; username: string; password: string };
        getUsername(): string;
        getPassword(): string;
        stop(): Promise<unknown>;
      }
      const { CLICKHOUSE_IMAGE } = await import('../src/clickhouse/connect.ts');
      const network = await new tc.Network().start();
      const chContainer = await new chModule.ClickHouseContainer(CLICKHOUSE_IMAGE)
        .withNetwork(network)
        .withNetworkAliases('clickhouse')
        .start();
      try {
        const options = chContainer.getClientOptions();
        const url = new URL(options.url);
        await using ch = await createClickHouse({
          kind: 'url',
          host: url.hostname,
          port: Number(url.port),
          username: options.username,
          password: options.password,
          database: 'xapi',
        });
        await ch.client.command({ query: 'CREATE DATABASE IF NOT EXISTS xapi' });
        await ch.client.command({
          query:
            'CREATE TABLE IF NOT EXISTS xapi.xapi_events_all (event_id UUID, emission_time DateTime64(6), event String) ' +
            'ENGINE MergeTree ORDER BY (emission_time, event_id)',
        });
        await using ralph = await new RalphContainer()
          .withNetwork(network)
          .withClickHouse({
            host: 'clickhouse',
            username: chContainer.getUsername(),
            password: chContainer.getPassword(),
          })
          .withCredentials('ralph', 'container-secret')
          .start();
        const id = crypto.randomUUID();
        const statement = {
          id,
          actor: { objectType: 'Agent', account: { homePage: 'http://localhost:18000', name: 'a' } },
          verb: { id: 'http://adlnet.gov/expapi/verbs/registered' },
          object: { id: 'http://localhost:18000/course/course-v1:O+C+R', objectType: 'Activity' },
          timestamp: '2023-04-13T14:06:31+00:00',
          version: '1.0.3',
        };
        const auth = `Basic ${Buffer.from('ralph:container-secret').toString('base64')}`;
        const res = await fetch(ralph.getStatementsUrl(), {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify([statement]),
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual([id]);
        const rs = await ch.client.query({
          query: 'SELECT toString(event_id) AS id FROM xapi.xapi_events_all',
          format: 'JSONEachRow',
        });
        expect(await rs.json()).toEqual([{ id }]);
        const stored = await readAllStatements(ralph.getStatementsUrl(), {
          username: 'ralph',
          password: 'container-secret',
        });
        expect(stored.map((s) => s.id)).toEqual([id]);
      } finally {
        await chContainer.stop();
        await network.stop();
      }
    });
  },
);
