/**
 * Starts the real Ralph LRS (PyPI `ralph-malph`, installed by `scripts/ralph/install.sh`) on
 * 127.0.0.1 with its filesystem backend in a temporary directory, for tests.
 *
 * @example
 * await using ralph = await startRalph({ username: 'ralph', password: 'secret' });
 * const client = createRalphClient({ url: ralph.statementsUrl, username: 'ralph', password: 'secret' });
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const serveScript = join(repoRoot, 'scripts', 'ralph', 'serve.py');

/** The virtualenv `scripts/ralph/install.sh` fills; `RALPH_VENV` moves it. */
export const ralphVenv: string = process.env.RALPH_VENV ?? join(repoRoot, '.venv-ralph');
const venvPython = join(ralphVenv, 'bin', 'python');

/** True when the Ralph virtualenv is installed (install.sh writes the marker last). */
export const ralphInstalled: boolean = existsSync(venvPython) && existsSync(join(ralphVenv, '.xapi-db-load-ralph'));

/** One line for `describe.skipIf(!ralphInstalled)`. */
export const ralphSkipReason = `Ralph LRS not installed in ${ralphVenv}: run scripts/ralph/install.sh`;

export interface RalphServerOptions {
  readonly username: string;
  readonly password: string;
  /** @default 0 (a free port, picked by the server itself) */
  readonly port?: number;
  /** Ralph's page size cap for GET /xAPI/statements (`RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT`). @default 100 */
  readonly maxSearchHitsCount?: number;
  /** @default 30_000 */
  readonly startupTimeoutMs?: number;
}

export interface StartedRalph {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>/xAPI/statements` */
  readonly statementsUrl: string;
  readonly port: number;
  /** Where the filesystem backend writes `fs_lrs.jsonl`. */
  readonly dataDir: string;
  /** Milliseconds from spawn to the first 200 on `/__heartbeat__`. */
  readonly startupMs: number;
  /** Graceful stop (SIGTERM, then SIGKILL after 5 s) and removal of the temp directory. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL now, like a crash: the port refuses connections once this resolves. Keeps the temp directory. */
  kill(): Promise<void>;
  /** What the server printed on stderr (last 16 KiB), for failure messages. */
  getLog(): string;
  [Symbol.asyncDispose](): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A test run that dies without calling stop() must not leave a server behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function assertInstalled(): void {
  if (!ralphInstalled) {
    throw new Error(`${ralphSkipReason} (looked for ${venvPython})`);
  }
}

/** Runs the venv's python on `args` with `input` on stdin; resolves with stdout. */
function runPython(args: readonly string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(venvPython, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${venvPython} ${args.join(' ')} exited with ${code}: ${err.trim()}`));
    });
    child.stdin.end(input);
  });
}

/** A bcrypt hash of `password`, computed by the bcrypt that Ralph itself checks with. */
export async function hashRalphPassword(password: string): Promise<string> {
  assertInstalled();
  return (await runPython([serveScript, '--hash'], password)).trim();
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitForHeartbeat(url: string, deadline: number, exited: () => string | undefined): Promise<void> {
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone) throw new Error(gone);
    try {
      const res = await fetch(`${url}/__heartbeat__`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Ralph did not answer 200 on ${url}/__heartbeat__ in time (last: ${last})`);
}

/** Starts a fresh Ralph with one Basic-auth user and an empty store. */
export async function startRalph(options: RalphServerOptions): Promise<StartedRalph> {
  assertInstalled();
  installExitHook();
  const started = Date.now();
  const deadline = started + (options.startupTimeoutMs ?? 30_000);
  const dir = await mkdtemp(join(tmpdir(), 'xapi-db-load-ralph-'));
  const dataDir = join(dir, 'data');
  const authFile = join(dir, 'auth.json');
  const users = [
    {
      username: options.username,
      hash: await hashRalphPassword(options.password),
      scopes: ['all'],
      agent: { account: { name: `__server_${options.username}`, homePage: 'http://127.0.0.1' } },
    },
  ];
  await writeFile(authFile, JSON.stringify(users));

  // Only our RALPH_* settings: a developer's own RALPH_* variables must not leak in.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('RALPH_')) env[key] = value;
  }
  Object.assign(env, {
    RALPH_APP_DIR: dir,
    RALPH_AUTH_FILE: authFile,
    RALPH_RUNSERVER_BACKEND: 'fs',
    RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH: dataDir,
    RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH: dataDir,
    RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT: String(options.maxSearchHitsCount ?? 100),
    PYTHONUNBUFFERED: '1',
  });

  const child = spawn(venvPython, [serveScript, '--host', '127.0.0.1', '--port', String(options.port ?? 0)], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));

  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    log = (log + chunk).slice(-16_384);
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = (): string | undefined => {
    if (spawnError) return `could not run ${venvPython}: ${spawnError.message}`;
    if (child.exitCode === null && child.signalCode === null) return undefined;
    return `Ralph exited (${child.exitCode ?? child.signalCode}) during startup:\n${log.trim()}`;
  };

  let stopped = false;
  const kill = async (): Promise<void> => {
    child.kill('SIGKILL');
    await waitForExit(child);
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await waitForExit(child);
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const port = await readPort(child, deadline, exited);
    const url = `http://127.0.0.1:${port}`;
    await waitForHeartbeat(url, deadline, exited);
    return {
      url,
      statementsUrl: `${url}/xAPI/statements`,
      port,
      dataDir,
      startupMs: Date.now() - started,
      stop,
      kill,
      getLog: () => log,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop().catch((cleanupError: unknown) => {
      console.error('ralph-server: cleanup after a failed start failed', cleanupError);
    });
    throw error;
  }
}

/** serve.py prints `{"port": N}` on stdout once its socket listens. */
function readPort(child: ChildProcess, deadline: number, exited: () => string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => finish(new Error('Ralph did not report its port in time')),
      Math.max(0, deadline - Date.now()),
    );
    const onExit = (): void => finish(new Error(exited() ?? 'Ralph exited during startup'));
    const onData = (chunk: string): void => {
      buffer += chunk;
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      const port: unknown = (JSON.parse(line) as { port?: unknown }).port;
      if (typeof port === 'number') finish(undefined, port);
      else finish(new Error(`unexpected first line from serve.py: ${line}`));
    };
    function finish(error: Error | undefined, port?: number): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onExit);
      if (error) reject(error);
      else resolve(port!);
    }
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
    child.once('error', onExit);
  });
}

export interface BasicAuth {
  readonly username: string;
  readonly password: string;
}

/** A statement as Ralph returns it (with `stored` and `authority` added). */
export type StoredStatement = { readonly id: string } & Readonly<Record<string, unknown>>;

/**
 * Reads every statement from an LRS statements endpoint, following `more` links page by page.
 * Written apart from the client under test on purpose: plain fetch, no retries.
 */
export async function readAllStatements(
  statementsUrl: string,
  auth: BasicAuth,
  options: { readonly pageSize?: number } = {},
): Promise<StoredStatement[]> {
  const headers = {
    authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
    'x-experience-api-version': '1.0.3',
    accept: 'application/json',
  };
  const statements: StoredStatement[] = [];
  const seen = new Set<string>();
  let next: URL | undefined = new URL(statementsUrl);
  if (options.pageSize !== undefined) next.searchParams.set('limit', String(options.pageSize));
  while (next) {
    if (seen.has(next.href)) throw new Error(`pagination loops on ${next.href}`);
    seen.add(next.href);
    const res = await fetch(next, { headers, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${next.href}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    const page = JSON.parse(text) as { statements: StoredStatement[]; more?: string | null };
    statements.push(...page.statements);
    // `more` is a path relative to the server, absent on the last page.
    next = page.more ? new URL(page.more, statementsUrl) : undefined;
  }
  return statements;
}
