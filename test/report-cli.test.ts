/**
 * `xapi-db-load report` as a user runs it (a child process per run: each gets a fresh embedded
 * engine, as on a laptop): record a baseline, then a changed baseline exits 1 naming the report;
 * bad options exit 2 with every problem listed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
let dir: string;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [join(root, 'src/cli.ts'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xapi-db-load-report-cli-'));
  const tiny = await readFile(join(root, 'configs/presets/tiny.yaml'), 'utf8');
  await writeFile(
    join(dir, 'config.yaml'),
    `${tiny.replace(/^num_xapi_batches: .*$/m, 'num_xapi_batches: 2').replace(/^num_workers: .*$/m, 'num_workers: 1')}\ndb_host: embedded\n`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('xapi-db-load report', () => {
  it('records a baseline, then exits 1 naming the report whose rows changed', async () => {
    const record = await cli([
      'report',
      '--config_file',
      'config.yaml',
      '--baseline',
      'baseline.json',
      '--update-baseline',
      '--summary',
      'summary.md',
      '--quiet',
    ]);
    expect(record.code, record.stderr).toBe(0);
    // 26 built-in reports less r16b, whose model the default aspects-dbt v8.0.0 dropped.
    expect(record.stdout).toMatch(/^report: updated \(25 report\(s\), snapshot report-snapshot\.json\)$/m);
    const snapshot = await readFile(join(dir, 'report-snapshot.json'), 'utf8');
    expect(snapshot).toBe(await readFile(join(dir, 'baseline.json'), 'utf8'));
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('📝 recorded');

    const baseline = JSON.parse(snapshot);
    baseline.reports['r11c-courses-per-org'].rows[0][1] += 1;
    await writeFile(join(dir, 'changed.json'), JSON.stringify(baseline));
    const check = await cli(['report', '--config_file', 'config.yaml', '--baseline', 'changed.json', '--quiet']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('error: Report(s) differ from the baseline: r11c-courses-per-org');
    expect(check.stderr).toMatch(/CHANGED r11c-courses-per-org \(Courses per organization\): 1 row\(s\) differ/);
    expect(check.stderr).toMatch(/ {2}at org=Org0: courses: \d+ → \d+/);
  });

  it('exits 2 listing every bad option', async () => {
    const result = await cli([
      'report',
      '--config_file',
      'config.yaml',
      '--perf-repeats',
      '0',
      '--now',
      'yesterday',
      '--org',
      'Org0',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--perf-repeats: got "0"; expected an integer >= 1');
    expect(result.stderr).toContain('--now: got "yesterday"; expected YYYY-MM-DD or "YYYY-MM-DD hh:mm:ss" (UTC)');
    expect(result.stderr).toContain('--org and --course: got one of them; expected both or neither');
  });
});
