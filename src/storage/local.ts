import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeError, XapiDbLoadError } from '../errors.ts';
import type { Destination, FileWriter } from './destination.ts';

/** `name.partial-PID`: a file being written by process PID. */
const PARTIAL = /^(.+)\.partial-(\d+)$/;

/** True when a process with this id runs (or exists under another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the `*.partial-PID` files that killed runs left in `dir` (their process is gone: a
 * SIGKILL or a power cut gave them no chance to clean up, issue #9 D8). Files of a run still
 * going are left alone. Returns what was removed.
 */
export async function removeLeftoverPartials(
  dir: string,
): Promise<{ readonly files: string[]; readonly bytes: number }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { files: [], bytes: 0 };
  }
  const files: string[] = [];
  let bytes = 0;
  for (const name of names) {
    const match = PARTIAL.exec(name);
    if (!match || processAlive(Number(match[2]))) continue;
    const path = join(dir, name);
    try {
      bytes += (await stat(path)).size;
      await rm(path, { force: true });
      files.push(name);
    } catch {
      // Gone already (another run swept it): nothing left to report.
    }
  }
  return { files, bytes };
}

/** A local directory (created when missing). Leftover partial files of killed runs are removed and reported. */
export function localDestination(
  directory: string,
  key = 'csv_output_destination',
  log: (line: string) => void = () => {},
): Destination {
  const dir = resolve(directory);
  return {
    description: dir,
    async checkWritable() {
      const probe = join(dir, `.xapi-db-load-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(probe, '');
        await rm(probe, { force: true });
      } catch (error) {
        throw new XapiDbLoadError(`${key}: cannot write to "${dir}": ${describeError(error)}`, { cause: error });
      }
      const swept = await removeLeftoverPartials(dir);
      if (swept.files.length > 0) {
        log(
          `Removed ${swept.files.length} unfinished file(s) that killed runs left in ${dir} ` +
            `(${(swept.bytes / 1024 / 1024).toFixed(1)} MB): ${swept.files.join(', ')}`,
        );
      }
    },
    async createFile(name) {
      const finalPath = join(dir, name);
      const partialPath = `${finalPath}.partial-${process.pid}`;
      const handle = await open(partialPath, 'w');
      let closed = false;
      const close = async () => {
        if (!closed) {
          closed = true;
          await handle.close();
        }
      };
      const writer: FileWriter = {
        location: finalPath,
        doneWithDataOnWrite: true,
        async write(data) {
          try {
            await handle.write(data);
          } catch (error) {
            // Node's ENOSPC/EIO messages name no file; a failed run should say which one.
            throw new XapiDbLoadError(`writing ${finalPath} failed: ${describeError(error)}`, { cause: error });
          }
        },
        async commit() {
          await close();
          await rename(partialPath, finalPath);
        },
        async abort() {
          await close().catch(() => {});
          await rm(partialPath, { force: true });
        },
      };
      return writer;
    },
  };
}

/**
 * Removes `dir` by renaming it to `trash` first (same filesystem), so no reader ever sees a
 * half-removed directory under the live name. A missing `dir` is not an error.
 */
export async function removeDirByRename(dir: string, trash: string): Promise<void> {
  try {
    await rename(dir, trash);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(trash, { recursive: true, force: true });
}
