/**
 * chdb for the Action's embedded target. chdb (~550 MB with its engine) is never bundled into
 * `dist/`: the Action looks for an installed copy — next to the Action (a checkout with
 * `node_modules`, as in this repository), then in the workspace (a project that depends on
 * chdb) — and otherwise installs `chdb@CHDB_VERSION` with npm into the runner's tool cache once
 * per runner, then loads it from there.
 */

import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ChdbConnectionModule } from '../clickhouse/embedded.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { CHDB_VERSION } from './constants.ts';

const execFileAsync = promisify(execFile);

function tryRequire(from: string): ChdbConnectionModule | null {
  try {
    return createRequire(from)('chdb/connection') as ChdbConnectionModule;
  } catch {
    return null;
  }
}

export interface ResolveChdbOptions {
  /** Directories whose `node_modules` may hold chdb, tried in order. */
  readonly searchDirs: readonly string[];
  /** Where to install chdb when none is found; `null` = never install. */
  readonly installDir: string | null;
  readonly log?: (line: string) => void;
}

/**
 * Finds or installs chdb and returns `chdb/connection`.
 *
 * @example
 * const chdbModule = await resolveChdb({ searchDirs: [actionDir, workspace], installDir: toolCache });
 * await createClickHouse({ kind: 'embedded' }, { chdbModule });
 */
export async function resolveChdb(options: ResolveChdbOptions): Promise<ChdbConnectionModule> {
  const log = options.log ?? (() => {});
  for (const dir of options.searchDirs) {
    const found = tryRequire(join(dir, 'package.json'));
    if (found) {
      log(`Using chdb installed under ${dir}`);
      return found;
    }
  }
  if (options.installDir === null) {
    throw new XapiDbLoadError(
      `chdb is not installed (looked under ${options.searchDirs.join(', ')}); use a ClickHouse service ` +
        "('clickhouse-url') or the container target",
    );
  }
  const dir = join(options.installDir, `chdb-${CHDB_VERSION}`);
  const installed = tryRequire(join(dir, 'package.json'));
  if (installed) {
    log(`Using chdb ${CHDB_VERSION} from ${dir}`);
    return installed;
  }
  log(`Installing chdb ${CHDB_VERSION} into ${dir} (the embedded engine is not bundled with the Action)`);
  await mkdir(dir, { recursive: true });
  try {
    await execFileAsync(
      process.platform === 'win32' ? 'npm.cmd' : 'npm',
      ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', dir, `chdb@${CHDB_VERSION}`],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    throw new XapiDbLoadError(
      `Cannot install chdb ${CHDB_VERSION} with npm (${describeError(error).split('\n', 1)[0]}); ` +
        "use a ClickHouse service ('clickhouse-url') or the container target",
      { cause: error },
    );
  }
  const loaded = tryRequire(join(dir, 'package.json'));
  if (!loaded) throw new XapiDbLoadError(`chdb ${CHDB_VERSION} was installed into ${dir} but cannot be loaded`);
  return loaded;
}
