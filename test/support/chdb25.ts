/**
 * ClickHouse 25.8, the version Aspects deploys, through the chdb Python wheel that
 * `scripts/chdb25/install.sh` puts in a virtualenv: `runOn258(steps)` runs statements in one
 * session of that engine (scripts/chdb25/run.py) and returns each one's answer.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseSettings } from '@clickhouse/client';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The virtualenv `scripts/chdb25/install.sh` fills; `CHDB25_VENV` moves it. */
export const chdb25Venv: string = process.env.CHDB25_VENV ?? join(repoRoot, '.venv-chdb25');
const venvPython = join(chdb25Venv, 'bin', 'python');

export const chdb25Installed: boolean = existsSync(join(chdb25Venv, '.xapi-db-load-chdb25'));

/** One line for `describe.skipIf(!chdb25Installed)`. */
export const chdb25SkipReason = `ClickHouse 25.8 (chdb 3.7.2 wheel) not installed in ${chdb25Venv}: run scripts/chdb25/install.sh`;

export interface Step {
  readonly sql: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly settings?: ClickHouseSettings;
  /** Return the answer (JSONCompact). */
  readonly fetch?: boolean;
}

export type StepResult =
  | { readonly ok: true; readonly data: { meta: { name: string; type: string }[]; data: unknown[][] } | null }
  | { readonly ok: false; readonly error: string };

/** Runs `steps` in one session with its data in `path`; stops at the first failure. */
export async function runOn258(
  path: string,
  steps: readonly Step[],
): Promise<{ engine: string; results: StepResult[] }> {
  const child = spawn(venvPython, [join(repoRoot, 'scripts', 'chdb25', 'run.py')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  child.stdin.end(JSON.stringify({ path, steps }));
  const code = await exited;
  if (code !== 0) throw new Error(`scripts/chdb25/run.py exited ${code}: ${Buffer.concat(err).toString()}`);
  return JSON.parse(Buffer.concat(out).toString()) as { engine: string; results: StepResult[] };
}
