import { readFile } from 'node:fs/promises';
import { ConfigError, describeError } from '../errors.ts';

/**
 * Reads a JSON baseline file (report snapshot, perf timings): `null` when it does not exist, a
 * `ConfigError` naming `key` and the path when it is not JSON. The caller checks its shape.
 */
export async function readJsonFile(path: string, key: string): Promise<unknown | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new ConfigError(
      [{ key, message: `${key}: got ${JSON.stringify(path)}; cannot be read (${code ?? describeError(error)})` }],
      { cause: error },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(
      [{ key, message: `${key}: got ${JSON.stringify(path)}; not JSON (${describeError(error)})` }],
      {
        cause: error,
      },
    );
  }
}
