/**
 * `init-schema --print-sql` and `report --print-sql`: the statements that would run, printed,
 * and nothing sent — the configs point at a port where no ClickHouse listens.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSchema, schemaNamesFromConfig, splitStatements } from '../src/clickhouse/schema.ts';
import { loadConfig } from '../src/config/index.ts';
import { loadReports, renderReportSql, reportsForVersion } from '../src/reports/catalog.ts';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'not-to-be-printed-7f3a';
let dir: string;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [join(root, 'src/cli.ts'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, XAPI_DB_LOAD_CLICKHOUSE_PASSWORD: SECRET },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xapi-db-load-print-sql-'));
  const tiny = await readFile(join(root, 'configs/presets/tiny.yaml'), 'utf8');
  // A server nobody runs: anything that connected would fail.
  await writeFile(
    join(dir, 'server.yaml'),
    `${tiny}\ndb_host: 127.0.0.1\ndb_port: 1\ndb_username: loader\ndb_name: xapi_p\nttl: aspects\nnow: 2026-11-15T00:00:00Z\n`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--print-sql', () => {
  it('init-schema prints every schema statement in order, with the password left out', async () => {
    const { code, stdout, stderr } = await cli(['init-schema', '--config_file', 'server.yaml', '--print-sql']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const config = await loadConfig(join(dir, 'server.yaml'), { env: {}, warn: () => {} });
    const expected = renderSchema(schemaNamesFromConfig(config, config.dbReportingName), {
      dictionaryCredentials: { username: 'loader', password: '<db_password>' },
    }).map((s) => s.sql);
    expect(splitStatements(stdout)).toEqual(expected);
    expect(stdout).toContain('CREATE DATABASE IF NOT EXISTS xapi_p;');
    expect(stdout).toContain("user 'loader' password '<db_password>'");
    expect(stdout).toContain('TTL toDateTime(emission_time) + INTERVAL 1 YEAR');
    expect(stdout).not.toContain(SECRET);
  });

  it('--aspects_version picks the release whose statements are printed; a wrong one exits 2 naming the choices', async () => {
    const v7 = await cli(['init-schema', '--config_file', 'server.yaml', '--print-sql', '--aspects_version', 'v7.0.0']);
    expect(v7.code, v7.stderr).toBe(0);
    expect(v7.stdout).toMatch(/^-- Open edX Aspects schema \(aspects-dbt v7\.0\.0\)/);
    expect(v7.stdout).toContain('CREATE TABLE IF NOT EXISTS reporting.dim_subsection_performance');
    const v8 = await cli(['init-schema', '--config_file', 'server.yaml', '--print-sql']);
    expect(v8.stdout).toMatch(/^-- Open edX Aspects schema \(aspects-dbt v8\.0\.0\)/);
    expect(v8.stdout).not.toContain('dim_subsection_performance');
    const wrong = await cli(['report', '--config_file', 'server.yaml', '--print-sql', '--aspects_version', '8']);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toContain('aspects_version: got "8"; expected one of 7.0.0, 8.0.0 (did you mean "8.0.0"?)');
  });

  it('report prints every report query with its bound parameters named, running nothing', async () => {
    const { code, stdout, stderr } = await cli(['report', '--config_file', 'server.yaml', '--print-sql']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const config = await loadConfig(join(dir, 'server.yaml'), { env: {}, warn: () => {} });
    const names = schemaNamesFromConfig(config);
    // The default release (v8.0.0) has no dim_subsection_performance: its report is left out, and said so.
    const { runnable: reports, skipped } = reportsForVersion(await loadReports(), names.aspectsVersion);
    expect(skipped.map((s) => s.report.name)).toEqual(['r16b-graded-subsection-performance']);
    expect(stdout).toContain(
      '-- left out: r16b-graded-subsection-performance (aspects-dbt v8.0.0 has no dim_subsection_performance)',
    );
    expect(splitStatements(stdout)).toEqual(reports.map((r) => splitStatements(renderReportSql(r, names))[0]));
    for (const r of reports) expect(stdout).toContain(`\n-- ${r.name}: ${r.title}`);
    expect(stdout).toContain('--   now = 2026-11-15 00:00:00 (UTC)');
    expect(stdout).toContain('FROM reporting.');
    expect(stdout).not.toContain(SECRET);
  });
});
