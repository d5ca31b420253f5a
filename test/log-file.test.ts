/** db_load.log: appended, rotated at log_max_bytes keeping log_backup_count files, never fatal. */

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRunLog } from '../src/run/log-file.ts';
import { makeTestConfig } from './support/config.ts';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'xdl-log-'));
  dirs.push(d);
  return d;
}

describe('run log', () => {
  it('appends timestamped lines with a level', async () => {
    const logDir = join(await tempDir(), 'logs');
    const log = openRunLog(makeTestConfig({ logDir }), () => {});
    log.write('INFO', 'first');
    log.write('ERROR', 'two\nlines');
    const text = await readFile(join(logDir, 'db_load.log'), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} xapi_db_load INFO {5}first$/);
    expect(lines[2]).toMatch(/ERROR {4}lines$/);
  });

  it('rotates at log_max_bytes and keeps log_backup_count files', async () => {
    const logDir = await tempDir();
    const log = openRunLog(makeTestConfig({ logDir, logMaxBytes: 200, logBackupCount: 2 }), () => {});
    for (let i = 0; i < 20; i++) log.write('INFO', `line ${i} ${'x'.repeat(40)}`);
    expect((await readdir(logDir)).sort()).toEqual(['db_load.log', 'db_load.log.1', 'db_load.log.2']);
    const current = await readFile(join(logDir, 'db_load.log'), 'utf8');
    expect(current.length).toBeLessThanOrEqual(200);
    expect(current).toContain('line 19');
  });

  it('a log that cannot be opened is one warning, not a failure', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), '');
    const warnings: string[] = [];
    const log = openRunLog(makeTestConfig({ logDir: join(dir, 'file', 'logs') }), (w) => warnings.push(w));
    log.write('INFO', 'ignored');
    expect(log.path).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unable to open log file/);
  });

  it('log_dir null writes nothing', () => {
    expect(openRunLog(makeTestConfig({ logDir: null as unknown as string }), () => {}).path).toBeNull();
  });
});
