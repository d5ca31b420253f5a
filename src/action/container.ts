/**
 * The Action's container target: a ClickHouse server started with the Docker CLI (present on
 * GitHub's Linux runners), published on 127.0.0.1. Not through testcontainers: its reaper
 * removes containers when the process exits, and the Action must be able to keep ClickHouse
 * alive for later steps (`keep-container`) and remove it in its `post` step by id.
 */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type ClickHouse, createClickHouse } from '../clickhouse/connect.ts';
import { ConnectionError, describeError } from '../errors.ts';

const execFileAsync = promisify(execFile);

export interface StartedContainer {
  readonly id: string;
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

async function docker(args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync('docker', [...args], { maxBuffer: 4 * 1024 * 1024 });
  return stdout.trim();
}

/** Starts the image and waits until it answers a query (at most `timeoutMs`). */
export async function startClickHouseContainer(
  image: string,
  options: {
    readonly timeoutMs?: number;
    readonly log?: (line: string) => void;
    /** Login created in the container. @default "default" */
    readonly username?: string;
    /** @default a random password */
    readonly password?: string;
  } = {},
): Promise<{ container: StartedContainer; ch: ClickHouse }> {
  const log = options.log ?? (() => {});
  const password = options.password || randomBytes(12).toString('hex');
  const username = options.username ?? 'default';
  let id: string;
  try {
    id = await docker([
      'run',
      '--detach',
      '--publish',
      '127.0.0.1::8123',
      '--env',
      `CLICKHOUSE_USER=${username}`,
      '--env',
      `CLICKHOUSE_PASSWORD=${password}`,
      '--env',
      'CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT=1',
      '--ulimit',
      'nofile=262144:262144',
      image,
    ]);
  } catch (error) {
    throw new ConnectionError(
      `Cannot start ClickHouse container ${image} with docker: ${describeError(error)}`,
      `ClickHouse container ${image}`,
      { cause: error },
    );
  }
  try {
    const port = (await docker(['port', id, '8123/tcp'])).split('\n')[0]?.split(':').at(-1);
    const url = `http://127.0.0.1:${port}`;
    log(`Started ClickHouse container ${id.slice(0, 12)} (${image}) at ${url}`);
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      try {
        const ch = await createClickHouse({
          kind: 'url',
          host: url,
          port: null,
          username,
          password,
          database: 'default',
        });
        return { container: { id, url, username, password }, ch };
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(1000);
      }
    }
  } catch (error) {
    await removeContainer(id).catch((cleanup: unknown) =>
      log(`Could not remove container ${id}: ${describeError(cleanup)}`),
    );
    throw new ConnectionError(
      `ClickHouse container ${image} did not become ready: ${describeError(error)}`,
      `ClickHouse container ${image}`,
      { cause: error },
    );
  }
}

/** `docker rm -f`; a container already gone is fine. */
export async function removeContainer(id: string): Promise<void> {
  try {
    await docker(['rm', '--force', '--volumes', id]);
  } catch (error) {
    if (/No such container/i.test(describeError(error))) return;
    throw error;
  }
}
