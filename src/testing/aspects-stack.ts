/**
 * ClickHouse, and optionally Ralph and MinIO, in Docker containers on one network: the
 * `container` provider of `seedAspects`. `testcontainers` and `@testcontainers/clickhouse` are
 * optional peers imported on `start()`; without them or without Docker, `start()` throws
 * {@link ContainerUnavailableError} ("Docker is not available: …") before touching anything.
 */

import { CLICKHOUSE_IMAGE } from '../clickhouse/connect.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { importOptional } from '../util/import-optional.ts';
import { loadTestcontainers, RalphContainer, type StartedRalphContainer } from './ralph-container.ts';

/**
 * The MinIO image for S3 round trips. Pinned so a test run next year talks to the same server;
 * any S3-compatible release works.
 */
export const MINIO_IMAGE = 'minio/minio:RELEASE.2025-04-22T22-12-26Z';

/** Credentials of the stack's ClickHouse (and of Ralph's ClickHouse backend). Test-only values. */
const CH_USER = 'ch_admin';
const CH_PASSWORD = 'ch_test_password';
const MINIO_USER = 'minio_admin';
const MINIO_PASSWORD = 'minio_test_password';
const MINIO_PORT = 9000;

/** Options for `@clickhouse/client`'s `createClient`. */
export interface ServerClientOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

// ---- the part of testcontainers this module uses -----------------------------------------

interface StartedNetworkLike {
  getName(): string;
  stop(): Promise<unknown>;
}
interface ClickHouseContainerLike {
  withNetwork(n: StartedNetworkLike): ClickHouseContainerLike;
  withNetworkAliases(...a: string[]): ClickHouseContainerLike;
  withUsername(u: string): ClickHouseContainerLike;
  withPassword(p: string): ClickHouseContainerLike;
  withEnvironment(e: Record<string, string>): ClickHouseContainerLike;
  start(): Promise<{ getClientOptions(): ServerClientOptions & { database: string }; stop(): Promise<unknown> }>;
}
interface GenericLike {
  withNetwork(n: StartedNetworkLike): GenericLike;
  withNetworkAliases(...a: string[]): GenericLike;
  withEnvironment(e: Record<string, string>): GenericLike;
  withCommand(c: string[]): GenericLike;
  withExposedPorts(...p: number[]): GenericLike;
  withWaitStrategy(w: unknown): GenericLike;
  start(): Promise<{ getHost(): string; getMappedPort(p: number): number; stop(): Promise<unknown> }>;
}
interface ContainersModule {
  Network: new () => { start(): Promise<StartedNetworkLike> };
  GenericContainer: new (image: string) => GenericLike;
  Wait: { forHttp(path: string, port: number): { forStatusCode(code: number): unknown } };
}

/**
 * Builder of a container stack.
 *
 * @example
 * await using stack = await new AspectsStack().withRalph().start();
 * const client = createClient(stack.getClientOptions());
 * console.log(stack.getRalphUrl()); // http://localhost:32771/xAPI/statements
 */
export class AspectsStack {
  #image = CLICKHOUSE_IMAGE;
  #ralph = false;
  #minio = false;
  #xapiDb = 'xapi';
  #rawTable = 'xapi_events_all';
  #beforeRalph: ((clientOptions: ServerClientOptions) => Promise<void>) | undefined;

  /** ClickHouse image. @default CLICKHOUSE_IMAGE */
  withImage(image: string): this {
    this.#image = image;
    return this;
  }

  /**
   * Adds a Ralph LRS writing to ClickHouse's raw xAPI table. Ralph needs that table before its
   * heartbeat passes, so `prepare` (e.g. `initSchema`) runs between ClickHouse and Ralph.
   */
  withRalph(
    prepare?: (clientOptions: ServerClientOptions) => Promise<void>,
    xapiDb = 'xapi',
    rawTable = 'xapi_events_all',
  ): this {
    this.#ralph = true;
    this.#beforeRalph = prepare;
    this.#xapiDb = xapiDb;
    this.#rawTable = rawTable;
    return this;
  }

  /** Adds a MinIO (S3-compatible) server. */
  withMinio(): this {
    this.#minio = true;
    return this;
  }

  async start(): Promise<StartedAspectsStack> {
    await loadTestcontainers(); // throws "Docker is not available: …" with a one-line reason
    const tc = await importOptional<ContainersModule>('testcontainers');
    let chModule: { ClickHouseContainer: new (image: string) => ClickHouseContainerLike };
    try {
      chModule = await importOptional('@testcontainers/clickhouse');
    } catch (error) {
      throw new XapiDbLoadError(
        `@testcontainers/clickhouse is not installed (${describeError(error)}); run \`npm i -D testcontainers @testcontainers/clickhouse\``,
        { cause: error },
      );
    }
    const stops: (() => Promise<unknown>)[] = [];
    const stopAll = async () => {
      for (const stop of stops.reverse()) {
        try {
          await stop();
        } catch (error) {
          process.emitWarning(`xapi-db-load: stopping a container failed: ${describeError(error)}`);
        }
      }
    };
    try {
      const network = await new tc.Network().start();
      stops.push(() => network.stop());
      const ch = await new chModule.ClickHouseContainer(this.#image)
        .withNetwork(network)
        .withNetworkAliases('clickhouse')
        .withUsername(CH_USER)
        .withPassword(CH_PASSWORD)
        // The Aspects schema creates dictionaries that log in as this user.
        .withEnvironment({ CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT: '1' })
        .start();
      stops.push(() => ch.stop());
      const { url, username, password } = ch.getClientOptions();
      const clientOptions: ServerClientOptions = { url, username, password };
      let ralph: StartedRalphContainer | null = null;
      if (this.#ralph) {
        await this.#beforeRalph?.(clientOptions);
        ralph = await new RalphContainer()
          .withNetwork(network)
          .withClickHouse({
            host: 'clickhouse',
            username,
            password,
            database: this.#xapiDb,
            eventTableName: this.#rawTable,
          })
          .start();
        const started = ralph;
        stops.push(() => started.stop());
      }
      let s3Endpoint: string | null = null;
      if (this.#minio) {
        const minio = await new tc.GenericContainer(MINIO_IMAGE)
          .withNetwork(network)
          .withNetworkAliases('minio')
          .withEnvironment({ MINIO_ROOT_USER: MINIO_USER, MINIO_ROOT_PASSWORD: MINIO_PASSWORD })
          .withCommand(['server', '/data'])
          .withExposedPorts(MINIO_PORT)
          .withWaitStrategy(tc.Wait.forHttp('/minio/health/live', MINIO_PORT).forStatusCode(200))
          .start();
        stops.push(() => minio.stop());
        s3Endpoint = `http://${minio.getHost()}:${minio.getMappedPort(MINIO_PORT)}`;
      }
      return new StartedAspectsStack(clientOptions, ralph, s3Endpoint, stopAll);
    } catch (error) {
      await stopAll();
      throw error;
    }
  }
}

/** A running stack; `await using` (or `stop()`) removes every container and the network. */
export class StartedAspectsStack implements AsyncDisposable {
  readonly #client: ServerClientOptions;
  readonly #ralph: StartedRalphContainer | null;
  readonly #s3Endpoint: string | null;
  readonly #stop: () => Promise<void>;
  #stopped = false;

  constructor(
    client: ServerClientOptions,
    ralph: StartedRalphContainer | null,
    s3Endpoint: string | null,
    stop: () => Promise<void>,
  ) {
    this.#client = client;
    this.#ralph = ralph;
    this.#s3Endpoint = s3Endpoint;
    this.#stop = stop;
  }

  /** For `createClient(...)`: ClickHouse's HTTP URL and login as seen from this machine. */
  getClientOptions(): ServerClientOptions {
    return { ...this.#client };
  }

  /** Ralph's statements endpoint, or `null` without `withRalph()`. */
  getRalphUrl(): string | null {
    return this.#ralph?.getStatementsUrl() ?? null;
  }

  /** Ralph's login, or `null` without `withRalph()`. */
  getRalphCredentials(): { username: string; password: string } | null {
    return this.#ralph ? { username: this.#ralph.getUsername(), password: this.#ralph.getPassword() } : null;
  }

  /** MinIO's S3 endpoint with its login, or `null` without `withMinio()`. */
  getS3(): { endpoint: string; accessKeyId: string; secretAccessKey: string } | null {
    return this.#s3Endpoint === null
      ? null
      : { endpoint: this.#s3Endpoint, accessKeyId: MINIO_USER, secretAccessKey: MINIO_PASSWORD };
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
