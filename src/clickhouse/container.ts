/** The `container` target: a throw-away server started with `@testcontainers/clickhouse` (optional, needs Docker). */

import { ConnectionError, ContainerUnavailableError, describeError } from '../errors.ts';
import { firstLine } from '../util/format.ts';
import { importOptional } from '../util/import-optional.ts';
import type { ClickHouse } from './connect.ts';
import { ClickHouseHandle, type ClientBase, closeQuietly, DEFAULT_REQUEST_TIMEOUT_MS, queryVersion } from './handle.ts';

/** The part of `@testcontainers/clickhouse` this module uses. */
interface ClickHouseContainerModule {
  ClickHouseContainer: new (image: string) => { start(): Promise<StartedClickHouseContainerLike> };
}

interface StartedClickHouseContainerLike {
  getClientOptions(): { url: string; username: string; password: string; database: string };
  stop(): Promise<unknown>;
}

/** The part of `testcontainers` this module uses. */
interface TestcontainersModule {
  getContainerRuntimeClient(): Promise<unknown>;
}

/** Starts `image` (removed again on close) and connects to it. */
export async function openContainer(image: string, base: ClientBase): Promise<ClickHouse> {
  let containers: ClickHouseContainerModule;
  let runtime: TestcontainersModule;
  try {
    runtime = await importOptional<TestcontainersModule>('testcontainers');
    containers = await importOptional<ClickHouseContainerModule>('@testcontainers/clickhouse');
  } catch (error) {
    const reason = `testcontainers is not installed (${firstLine(describeError(error))})`;
    throw new ContainerUnavailableError(
      `Docker is not available: ${reason}; run \`npm i -D testcontainers @testcontainers/clickhouse\`, ` +
        'or set `db_host` to `embedded` or a ClickHouse server',
      reason,
      { cause: error },
    );
  }
  try {
    await runtime.getContainerRuntimeClient();
  } catch (error) {
    const reason = firstLine(describeError(error));
    throw new ContainerUnavailableError(
      `Docker is not available: ${reason}; start Docker (or set DOCKER_HOST), or set \`db_host\` to \`embedded\``,
      reason,
      { cause: error },
    );
  }
  let started: StartedClickHouseContainerLike;
  try {
    started = await new containers.ClickHouseContainer(image).start();
  } catch (error) {
    throw new ConnectionError(
      `Cannot start ClickHouse container ${image}: ${firstLine(describeError(error))}`,
      `ClickHouse container ${image}`,
      { cause: error },
    );
  }
  const options = started.getClientOptions();
  const client = base.createClient({
    url: options.url,
    username: options.username,
    password: options.password,
    request_timeout: DEFAULT_REQUEST_TIMEOUT_MS,
    clickhouse_settings: base.settings,
    log: base.log,
  });
  const stop = async (): Promise<void> => {
    await started.stop();
  };
  let serverVersion: string;
  try {
    serverVersion = await queryVersion(client);
  } catch (error) {
    await closeQuietly(client);
    try {
      await stop();
    } catch (stopError) {
      // Report the cleanup failure without hiding the original one.
      process.emitWarning(`Could not stop ClickHouse container ${image}: ${describeError(stopError)}`);
    }
    throw new ConnectionError(
      `ClickHouse container ${image} does not answer: ${firstLine(describeError(error))}`,
      `ClickHouse container ${image}`,
      { cause: error },
    );
  }
  return new ClickHouseHandle({
    client,
    kind: 'container',
    description: `ClickHouse container ${image} at ${options.url} (user ${options.username})`,
    serverVersion,
    credentials: { username: options.username, password: options.password },
    onClose: stop,
  });
}
