/**
 * Typed errors carry data beside their one-line message: which target, which schema statement,
 * which files, which tables. Nothing here needs a running engine: the failures are real ones
 * (a closed port, an empty directory).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH } from '../src/cli/options.ts';
import { createClickHouse } from '../src/clickhouse/connect.ts';
import { DEFAULT_SCHEMA_NAMES, initSchema } from '../src/clickhouse/schema.ts';
import { loadConfig } from '../src/config/index.ts';
import {
  ConnectionError,
  LedgerStateError,
  MissingFilesError,
  SchemaStatementError,
  VerificationError,
  XapiDbLoadError,
} from '../src/errors.ts';
import { TargetNotEmptyError } from '../src/load/guard.ts';
import { listNativeFiles } from '../src/load/native.ts';
import { type VerificationReport, verificationError } from '../src/load/verify.ts';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('typed errors', () => {
  let port: number;
  let dir: string;
  beforeAll(async () => {
    port = await closedPort();
    dir = await mkdtemp(join(tmpdir(), 'xdl-errors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ConnectionError names the server it could not reach, never the password', async () => {
    const error = await createClickHouse({
      kind: 'url',
      host: '127.0.0.1',
      port,
      username: 'default',
      password: 's3cr3t-pw',
      database: 'xapi',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    const e = error as ConnectionError;
    expect(e.target).toBe(`ClickHouse at 127.0.0.1:${port}`);
    expect(e.message).toMatch(
      new RegExp(`^Cannot connect to ClickHouse at 127\\.0\\.0\\.1:${port} \\(http, user default\\): `),
    );
    expect(e.message).not.toContain('s3cr3t-pw');
    expect(e.exitCode).toBe(1);
  });

  it('SchemaStatementError names the file, position and head of the statement that failed', async () => {
    const client = createClient({ url: `http://127.0.0.1:${port}`, request_timeout: 2_000 });
    try {
      const error = await initSchema(client, DEFAULT_SCHEMA_NAMES).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaStatementError);
      const e = error as SchemaStatementError;
      expect({ file: e.file, index: e.index, label: e.label }).toEqual({
        file: '01-databases.sql',
        index: 1,
        label: 'CREATE DATABASE IF NOT EXISTS xapi',
      });
      expect(e.message).toContain('01-databases.sql #1 `CREATE DATABASE IF NOT EXISTS xapi` failed on ClickHouse');
      expect(e.exitCode).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('MissingFilesError lists what was looked for and where', async () => {
    const config = await loadConfig(DEFAULT_CONFIG_PATH, { env: {} });
    const error = await listNativeFiles(
      { kind: 'local', directory: dir, from: 'native_output_destination' },
      config,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingFilesError);
    const e = error as MissingFilesError;
    expect(e.location).toBe(dir);
    expect(e.missing).toContain('xapi_….native.lz4');
    expect(e.missing).toContain('initial_enrollments_xapi_….native.lz4');
    expect(e.message).toMatch(/^Cannot load: no Native files found in /);
  });

  it('VerificationError carries the per-table report and its mismatches', () => {
    const report: VerificationReport = {
      ok: false,
      tables: [
        { key: 'xapi', table: 'xapi.xapi_events_all', expected: 10, before: 0, after: 9, loaded: 9, ok: false },
        {
          key: 'courseOverviews',
          table: 'event_sink.course_overviews',
          expected: 2,
          before: 0,
          after: 2,
          loaded: 2,
          ok: true,
        },
      ],
    };
    const error = verificationError(report, 'embedded ClickHouse');
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.tables.map((t) => t.table)).toEqual(['xapi.xapi_events_all', 'event_sink.course_overviews']);
    expect(error.mismatches).toEqual([report.tables[0]]);
    expect(error.message.split('\n')[0]).toBe(
      'Verification failed on embedded ClickHouse: 1 of 2 tables do not hold the rows the dataset plan expects (xapi.xapi_events_all expected 10, found 9)',
    );
  });

  it('a refused load is a LedgerStateError carrying the state it found', () => {
    const error = new TargetNotEmptyError('the databases hold data', { kind: 'other', counts: {} as never });
    expect(error).toBeInstanceOf(LedgerStateError);
    expect(error).toBeInstanceOf(XapiDbLoadError);
    expect(error.state.kind).toBe('other');
    expect(error.exitCode).toBe(1);
  });
});
