/**
 * Where the dataset cache lives: `XAPI_DB_LOAD_CACHE_DIR`, else the caller's directory, else
 * `node_modules/.cache/xapi-db-load` of the nearest `node_modules` above the working directory
 * (the convention babel, eslint and vite follow), else the OS cache directory.
 */

import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Environment variable that overrides every other cache location. */
export const CACHE_DIR_ENV = 'XAPI_DB_LOAD_CACHE_DIR';

export interface CacheDirOptions {
  /** A directory chosen by the caller (ignored when `XAPI_DB_LOAD_CACHE_DIR` is set). */
  readonly dir?: string;
  /** @default process.cwd() */
  readonly cwd?: string;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest `node_modules` directory at or above `from`, or `null`. */
export function findNodeModules(from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'node_modules');
    if (isDirectory(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The per-user cache directory of the platform (`~/.cache`, `~/Library/Caches`, `%LOCALAPPDATA%`). */
export function osCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (process.platform === 'win32') return env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches');
  return env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
}

/**
 * Resolves the cache directory (absolute).
 *
 * @example
 * resolveCacheDir({ cwd: '/repo' }); // → '/repo/node_modules/.cache/xapi-db-load'
 */
export function resolveCacheDir(options: CacheDirOptions = {}): string {
  const env = options.env ?? process.env;
  const fromEnv = env[CACHE_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return resolve(fromEnv);
  if (options.dir !== undefined) return resolve(options.dir);
  const nodeModules = findNodeModules(options.cwd ?? process.cwd());
  if (nodeModules !== null) return join(nodeModules, '.cache', 'xapi-db-load');
  return join(osCacheDir(env), 'xapi-db-load');
}
