import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeError, XapiDbLoadError } from '../errors.ts';
import type { Destination, FileWriter } from './destination.ts';

/** A local directory (created when missing). */
export function localDestination(directory: string, key = 'csv_output_destination'): Destination {
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
        async write(data) {
          await handle.write(data);
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
