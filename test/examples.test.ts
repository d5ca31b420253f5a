/**
 * The example projects under examples/, used exactly as a user would: this repository is packed
 * (`npm pack`, which builds lib/), each example is copied to a temporary directory, the tarball
 * and the example's own devDependencies are installed from the registry, and its test command
 * runs. Both examples share one dataset cache directory, so the second one loads from the cache.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const MINUTES = 60_000;

let work: string;
let tarball: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'xapi-db-load-examples-'));
  await run(NPM, ['pack', '--pack-destination', work], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const packed = (await readdir(work)).find((f) => f.endsWith('.tgz'));
  if (!packed) throw new Error(`npm pack wrote no tarball into ${work}`);
  tarball = join(work, packed);
  // The parent Vitest's variables must not leak into the example's own runner.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  env = {
    ...inherited,
    XAPI_DB_LOAD_CACHE_DIR: join(work, 'dataset-cache'),
    // Deterministic whatever the machine: the embedded engine (auto would pick Docker when present).
    XAPI_DB_LOAD_PROVIDER: 'embedded',
    XAPI_DB_LOAD_SEED: '',
    XAPI_DB_LOAD_CLICKHOUSE_URL: '',
    NODE_OPTIONS: '',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
}, 3 * MINUTES);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Copies examples/<name> and installs the tarball plus its devDependencies. */
async function install(name: string): Promise<string> {
  const dir = join(work, name);
  await cp(join(ROOT, 'examples', name), dir, {
    recursive: true,
    filter: (src) => !src.includes('node_modules'),
  });
  await run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
    cwd: dir,
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return dir;
}

async function runTests(dir: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(NPM, ['test'], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}\n${stderr}`;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm test failed in ${dir}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: error });
  }
}

/** Registry failures (offline machine) skip; anything else is a real failure. */
function registryUnavailable(error: unknown): string | null {
  const text = String((error as { stderr?: string }).stderr ?? error);
  const match = /(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET)[^\n]*/.exec(text);
  return match ? `the npm registry is not reachable (${match[0].slice(0, 120)})` : null;
}

describe('examples (installed from the packed tarball)', () => {
  it(
    'examples/vitest: globalSetup seeds tiny once, each file gets its own copy',
    async (ctx) => {
      let dir: string;
      try {
        dir = await install('vitest');
      } catch (error) {
        const reason = registryUnavailable(error);
        if (reason) return ctx.skip(`cannot install vitest: ${reason}`);
        throw error;
      }
      const output = await runTests(dir);
      expect(output).toContain('xapi-db-load: provider embedded');
      expect(output).toMatch(/Test Files\s+\S*2 passed/);
      expect(output).toMatch(/Tests\s+\S*3 passed/);
    },
    5 * MINUTES,
  );

  it(
    'examples/jest: globalSetup + getAspects() in native ESM Jest 30, a private copy per test file',
    async (ctx) => {
      let dir: string;
      try {
        dir = await install('jest');
      } catch (error) {
        const reason = registryUnavailable(error);
        if (reason) return ctx.skip(`cannot install jest: ${reason}`);
        throw error;
      }
      const output = await runTests(dir);
      expect(output).toContain('xapi-db-load: provider embedded');
      expect(output).toMatch(/Tests:\s+3 passed, 3 total/);
    },
    5 * MINUTES,
  );
});
