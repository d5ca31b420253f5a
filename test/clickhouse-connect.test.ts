/**
 * Targets, URL rules and connection errors. Server behaviour is played by a tiny HTTP server on
 * 127.0.0.1 that answers like ClickHouse's HTTP interface; the embedded engine is the real chdb.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLICKHOUSE_IMAGE,
  type ClickHouseTarget,
  createClickHouse,
  describeTarget,
  isSecurePort,
  resolveUrlTarget,
  targetFromConfig,
  type UrlTarget,
} from '../src/clickhouse/connect.ts';
import { ContainerUnavailableError, XapiDbLoadError } from '../src/errors.ts';

const PASSWORD = 'Zq9-distinctive-S3cret-xyzzy';

const config = (dbHost: string, dbPort: number | null = 8123) => ({
  dbHost,
  dbPort,
  dbUsername: 'ch_admin',
  dbPassword: PASSWORD,
  dbName: 'xapi',
});

describe('targetFromConfig', () => {
  it.each<{ what: string; host: string; expected: ClickHouseTarget }>([
    { what: 'embedded', host: 'embedded', expected: { kind: 'embedded' } },
    { what: 'an empty host', host: '', expected: { kind: 'embedded' } },
    { what: 'embedded:<dir>', host: 'embedded:/tmp/ch-data', expected: { kind: 'embedded', path: '/tmp/ch-data' } },
    { what: 'container', host: 'container', expected: { kind: 'container' } },
    {
      what: 'container:<image>',
      host: 'container:clickhouse/clickhouse-server:24.8',
      expected: { kind: 'container', image: 'clickhouse/clickhouse-server:24.8' },
    },
    {
      what: 'a host name',
      host: 'clickhouse.example.com',
      expected: {
        kind: 'url',
        host: 'clickhouse.example.com',
        port: 8123,
        username: 'ch_admin',
        password: PASSWORD,
        database: 'xapi',
      },
    },
  ])('maps $what', ({ host, expected }) => {
    expect(targetFromConfig(config(host))).toEqual(expected);
  });
});

describe('url rules', () => {
  it.each([
    [8443, true],
    [9440, true],
    [443, true],
    [18443, true],
    [8123, false],
    [9000, false],
    [18123, false],
  ])('port %i secure=%s', (port, secure) => {
    expect(isSecurePort(port)).toBe(secure);
    expect(resolveUrlTarget({ host: 'ch', port }).url).toBe(`${secure ? 'https' : 'http'}://ch:${port}`);
  });

  it('defaults the port to 8123, or 8443 when secure', () => {
    expect(resolveUrlTarget({ host: 'ch', port: null }).url).toBe('http://ch:8123');
    expect(resolveUrlTarget({ host: 'ch', port: null, secure: true }).url).toBe('https://ch:8443');
  });

  it('accepts a scheme in the host and brackets IPv6', () => {
    expect(resolveUrlTarget({ host: 'https://ch.example.com/', port: null })).toEqual({
      url: 'https://ch.example.com:8443',
      host: 'ch.example.com',
      port: 8443,
      secure: true,
    });
    expect(resolveUrlTarget({ host: '::1', port: 8123 }).url).toBe('http://[::1]:8123');
  });

  it('rejects a host that is not a host', () => {
    expect(() => resolveUrlTarget({ host: 'user:pw@ch', port: 8123 })).toThrowError(
      'db_host: got "***@ch"; expected a host name or IP address',
    );
  });

  it('describes every target without the password', () => {
    const url = targetFromConfig(config('ch.example.com', 8443));
    expect(describeTarget(url)).toBe('ClickHouse server at https://ch.example.com:8443 (user ch_admin, database xapi)');
    expect(describeTarget({ kind: 'embedded' })).toBe('embedded ClickHouse (chdb, :memory:)');
    expect(describeTarget({ kind: 'container' })).toBe(`ClickHouse container (${CLICKHOUSE_IMAGE})`);
    expect(describeTarget(url)).not.toContain(PASSWORD);
  });
});

/** A stand-in for ClickHouse's HTTP interface: accepts `ch_admin` / PASSWORD only. */
function fakeClickHouse(options: { echoPassword: boolean }): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const auth = req.headers.authorization ?? '';
      const [user, password] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':');
      if (user !== 'ch_admin' || password !== PASSWORD) {
        const leak = options.echoPassword ? ` (got password ${password})` : '';
        res.writeHead(516, { 'X-ClickHouse-Exception-Code': '516', 'Content-Type': 'text/plain' });
        res.end(
          `Code: 516. DB::Exception: ${user}: Authentication failed: password is incorrect, or there is no user with such name${leak}. (AUTHENTICATION_FAILED) (version 25.8.1.1)\n`,
        );
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'X-ClickHouse-Format': 'JSONEachRow' });
      res.end('{"version":"25.8.1.1"}\n');
    });
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function urlTarget(port: number, password: string): UrlTarget {
  return { kind: 'url', host: '127.0.0.1', port, username: 'ch_admin', password, database: 'xapi' };
}

async function connectError(target: ClickHouseTarget): Promise<XapiDbLoadError> {
  const outcome = await createClickHouse(target).then(
    async (ch) => {
      await ch.close();
      return null;
    },
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(XapiDbLoadError);
  return outcome as XapiDbLoadError;
}

describe('url target', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('names host and port, never the password, when nothing listens', async () => {
    const port = await closedPort();
    const error = await connectError(urlTarget(port, PASSWORD));
    expect(error.message).toContain(`Cannot connect to ClickHouse at 127.0.0.1:${port}`);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.cause).toBeDefined();
    expect(error.message).not.toContain(PASSWORD);
    expect(inspect(error, { depth: 5 })).not.toContain(PASSWORD);
  });

  it.each([
    { echoPassword: false, what: 'a wrong password' },
    { echoPassword: true, what: 'a server that echoes the password' },
  ])('reports $what with host and port, redacted', async ({ echoPassword }) => {
    const server = fakeClickHouse({ echoPassword });
    servers.push(server);
    const port = await listen(server);
    const wrong = `${PASSWORD}-wrong`;
    const error = await connectError(urlTarget(port, wrong));
    expect(error.message).toContain(`Cannot connect to ClickHouse at 127.0.0.1:${port} (http, user ch_admin)`);
    expect(error.message).toContain('Authentication failed');
    expect(error.message).not.toContain(PASSWORD);
    expect(inspect(error, { depth: 5 })).not.toContain(PASSWORD);
  });

  it('connects, and printing the handle never shows the password', async () => {
    const server = fakeClickHouse({ echoPassword: false });
    servers.push(server);
    const port = await listen(server);
    await using ch = await createClickHouse(urlTarget(port, PASSWORD));
    expect(ch.kind).toBe('url');
    expect(ch.serverVersion).toBe('25.8.1.1');
    expect(ch.description).toBe(`ClickHouse server at http://127.0.0.1:${port} (user ch_admin, database xapi)`);
    for (const printed of [String(ch), JSON.stringify(ch), inspect(ch, { depth: 5 })]) {
      expect(printed).not.toContain(PASSWORD);
    }
    expect(ch.dictionaryCredentials).toEqual({ username: 'ch_admin', password: PASSWORD });
    expect(ch.redact(`x ${PASSWORD} y`)).toBe('x *** y');
  });
});

describe('container target', () => {
  it('fails with a one-line reason when Docker or testcontainers is missing', async () => {
    const outcome = await createClickHouse({ kind: 'container' }).then(
      async (ch) => {
        await ch.close();
        return null;
      },
      (error: unknown) => error,
    );
    if (outcome === null) return; // Docker and testcontainers are present: the container started.
    expect(outcome).toBeInstanceOf(ContainerUnavailableError);
    const error = outcome as ContainerUnavailableError;
    expect(error.message).toMatch(/^Docker is not available: /);
    expect(error.reason).not.toContain('\n');
  });
});

describe('embedded target', () => {
  let ch: Awaited<ReturnType<typeof createClickHouse>>;
  beforeAll(async () => {
    ch = await createClickHouse({ kind: 'embedded' });
  });
  afterAll(async () => {
    await ch?.close();
  });

  it('runs queries in-process and needs no dictionary login', async () => {
    expect(ch.description).toBe('embedded ClickHouse (chdb, :memory:)');
    expect(ch.dictionaryCredentials).toBeNull();
    const rs = await ch.client.query({
      query: 'SELECT {n: UInt32} + 1 AS n, parseDateTimeBestEffort({t: String}) = toDateTime({u: String}) AS same',
      query_params: { n: 41, t: '2023-04-13T14:06:31+00:00', u: '2023-04-13 14:06:31' },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ n: '42', same: 1 }]);
  });

  it('explains the one-data-directory rule when a second path is opened', async () => {
    const error = await connectError({ kind: 'embedded', path: '/tmp/xapi-db-load-second-dir-test' });
    expect(error.message).toContain('chdb opens one directory per process');
    expect(error.message).toContain('another xapi-db-load or clickhouse local may be using it');
  });
});
