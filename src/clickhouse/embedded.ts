/** The `embedded` target: the ClickHouse engine in-process through `chdb` (optional, loaded lazily). */

import { createRequire } from 'node:module';
import type { createClient } from '@clickhouse/client';
import { ConnectionError, describeError, XapiDbLoadError } from '../errors.ts';
import { firstLine } from '../util/format.ts';
import type { ClickHouse, EmbeddedTarget } from './connect.ts';
import { ClickHouseHandle, type ClientBase, closeQuietly, queryVersion } from './handle.ts';

/** The part of `chdb/connection` this module uses. */
export interface ChdbConnectionModule {
  createChdbConnection(options?: { path?: string }): NonNullable<Parameters<typeof createClient>[0]>['connection'];
}

/** Loads `chdb/connection` on first use, so installs without chdb still work for servers. */
export function loadChdbConnection(): ChdbConnectionModule {
  const require = createRequire(import.meta.url);
  try {
    return require('chdb/connection') as ChdbConnectionModule;
  } catch (error) {
    throw new XapiDbLoadError(
      `\`chdb\` is not installed (${firstLine(describeError(error))}); run \`npm i chdb\` or set \`db_host\` to use a ClickHouse server`,
      { cause: error },
    );
  }
}

export async function openEmbedded(
  target: EmbeddedTarget,
  description: string,
  base: ClientBase,
  chdbModule?: ChdbConnectionModule,
): Promise<ClickHouse> {
  const { createChdbConnection } = chdbModule ?? loadChdbConnection();
  let connection: ReturnType<ChdbConnectionModule['createChdbConnection']>;
  try {
    connection = createChdbConnection({ path: target.path ?? ':memory:' });
  } catch (error) {
    throw new ConnectionError(
      `Cannot open ${description}: ${firstLine(describeError(error))} ` +
        '(one data directory can be open in one process at a time, and chdb opens one directory per process: ' +
        'another xapi-db-load or clickhouse local may be using it, or this process has another embedded ' +
        'connection open on a different path)',
      description,
      { cause: error },
    );
  }
  const client = base.createClient({ connection, clickhouse_settings: base.settings, log: base.log });
  let serverVersion: string;
  try {
    serverVersion = await queryVersion(client);
  } catch (error) {
    await closeQuietly(client);
    throw new ConnectionError(`Cannot use ${description}: ${firstLine(describeError(error))}`, description, {
      cause: error,
    });
  }
  const path = target.path ?? ':memory:';
  openEmbeddedPaths.set(path, (openEmbeddedPaths.get(path) ?? 0) + 1);
  const onClose = async (): Promise<void> => {
    const left = (openEmbeddedPaths.get(path) ?? 1) - 1;
    if (left > 0) openEmbeddedPaths.set(path, left);
    else openEmbeddedPaths.delete(path);
  };
  return new ClickHouseHandle({ client, kind: 'embedded', description, serverVersion, credentials: null, onClose });
}

/** Data directories of the embedded connections this module has open, with how many on each. */
const openEmbeddedPaths = new Map<string, number>();

/**
 * The data directory an open embedded connection of this process is bound to (`:memory:` for
 * the default one), or `null`. chdb binds one directory per process: another embedded
 * connection opened now must use this one.
 */
export function embeddedPathInUse(): string | null {
  return openEmbeddedPaths.keys().next().value ?? null;
}
