/**
 * Ralph LRS in a Docker container, for users and tests with Docker: the image Aspects deploys,
 * its ClickHouse backend pointed at a ClickHouse container on the same Docker network, Basic
 * auth from an auth file holding a bcrypt hash, and a wait on `/__heartbeat__` (which answers 200
 * only once Ralph can query ClickHouse).
 *
 * `testcontainers` is an optional peer, imported on first `start()`; without it, or without a
 * Docker engine, `start()` throws {@link ContainerUnavailableError} with a one-line reason.
 *
 * The bcrypt hash is computed inside the container at startup by the image's own Python `bcrypt`
 * (the library Ralph checks passwords with), so no bcrypt package is needed here and any
 * password works. See {@link RALPH_AUTH_BOOTSTRAP_PY}.
 */

import { ContainerUnavailableError, describeError } from '../errors.ts';
import { firstLine } from '../util/format.ts';
import { importOptional } from '../util/import-optional.ts';

/**
 * The Ralph image Aspects deploys (tutor-contrib-aspects `DOCKER_IMAGE_RALPH`). Bump it together
 * with Aspects so loads through Ralph exercise the server code users run.
 */
export const RALPH_IMAGE = 'fundocker/ralph:4.1.0';

/** Port Ralph's API listens on inside the container. */
export const RALPH_PORT = 8100;

/** ClickHouse's HTTP port inside its container: what Ralph connects to over the Docker network. */
const CLICKHOUSE_CONTAINER_HTTP_PORT = 8123;

/** Where the container keeps its credentials files; /tmp because the image runs as uid 1000. */
const USERS_FILE = '/tmp/xapi-db-load/users.json';
const AUTH_FILE = '/tmp/xapi-db-load-auth/auth.json';

/**
 * Runs before Ralph in the container: reads the users (with plain passwords) that `start()`
 * copied in, writes Ralph's auth.json with bcrypt hashes, then replaces itself with the server
 * command given after `--`. Arguments: `<users.json> <auth.json> -- <command…>`.
 */
export const RALPH_AUTH_BOOTSTRAP_PY = `
import json, os, sys
import bcrypt
users_path, auth_path = sys.argv[1], sys.argv[2]
command = sys.argv[sys.argv.index("--") + 1:]
with open(users_path, encoding="utf-8") as f:
    users = json.load(f)
auth = [
    {
        "username": u["username"],
        "hash": bcrypt.hashpw(u["password"].encode("utf-8"), bcrypt.gensalt(rounds=10)).decode("ascii"),
        "scopes": u["scopes"],
        "agent": u["agent"],
    }
    for u in users
]
os.makedirs(os.path.dirname(auth_path), exist_ok=True)
with open(auth_path, "w", encoding="utf-8") as f:
    json.dump(auth, f)
os.execvp(command[0], command)
`.trim();

/** How Ralph reaches ClickHouse: names and ports as seen from inside the Docker network. */
export interface RalphClickHouseBackend {
  /** Network alias (or host name) of the ClickHouse container. @default "clickhouse" */
  readonly host?: string;
  /** ClickHouse HTTP port inside the network. @default 8123 */
  readonly port?: number;
  /** @default "xapi" */
  readonly database?: string;
  /** Ralph writes here; the table must exist before the first POST. @default "xapi_events_all" */
  readonly eventTableName?: string;
  readonly username: string;
  /** Secret: only ever put in the container's environment. */
  readonly password: string;
}

/** The container as data: what `start()` asks Docker for (testable without Docker). */
export interface RalphContainerSpec {
  readonly image: string;
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly files: readonly { readonly content: string; readonly target: string; readonly mode: number }[];
  readonly exposedPorts: readonly number[];
  readonly networkAliases: readonly string[];
  readonly wait: { readonly path: string; readonly port: number; readonly statusCode: number };
  readonly startupTimeoutMs: number;
}

/** A started Docker network from `testcontainers` (`await new Network().start()`). */
export interface StartedNetworkLike {
  getName(): string;
}

// ---- the part of testcontainers this module uses -----------------------------------------

interface WaitStrategyLike {
  forStatusCode(code: number): unknown;
}

interface GenericContainerLike {
  withEnvironment(environment: Record<string, string>): GenericContainerLike;
  withCommand(command: string[]): GenericContainerLike;
  withExposedPorts(...ports: number[]): GenericContainerLike;
  withNetwork(network: StartedNetworkLike): GenericContainerLike;
  withNetworkAliases(...aliases: string[]): GenericContainerLike;
  withCopyContentToContainer(files: { content: string; target: string; mode?: number }[]): GenericContainerLike;
  withWaitStrategy(strategy: unknown): GenericContainerLike;
  withStartupTimeout(ms: number): GenericContainerLike;
  start(): Promise<StartedContainerLike>;
}

interface StartedContainerLike {
  getHost(): string;
  getMappedPort(port: number): number;
  stop(): Promise<unknown>;
}

interface TestcontainersModule {
  GenericContainer: new (image: string) => GenericContainerLike;
  Wait: { forHttp(path: string, port: number): WaitStrategyLike };
  getContainerRuntimeClient(): Promise<unknown>;
}

/**
 * `testcontainers` with a working Docker engine, or {@link ContainerUnavailableError} whose
 * `reason` is one line (for `skip(true, reason)`).
 */
export async function loadTestcontainers(): Promise<TestcontainersModule> {
  let module: TestcontainersModule;
  try {
    module = await importOptional<TestcontainersModule>('testcontainers');
  } catch (error) {
    const reason = `testcontainers is not installed (${firstLine(describeError(error))})`;
    throw new ContainerUnavailableError(
      `Docker is not available: ${reason}; run \`npm i -D testcontainers @testcontainers/clickhouse\``,
      reason,
      { cause: error },
    );
  }
  try {
    await module.getContainerRuntimeClient();
  } catch (error) {
    const reason = firstLine(describeError(error));
    throw new ContainerUnavailableError(
      `Docker is not available: ${reason}; start Docker (or set DOCKER_HOST)`,
      reason,
      { cause: error },
    );
  }
  return module;
}

/**
 * Builder for a Ralph LRS container.
 *
 * @example
 * const network = await new Network().start();
 * const ch = await new ClickHouseContainer(CLICKHOUSE_IMAGE).withNetwork(network).withNetworkAliases('clickhouse').start();
 * // … create xapi.xapi_events_all (initSchema) …
 * await using ralph = await new RalphContainer()
 *   .withNetwork(network)
 *   .withClickHouse({ host: 'clickhouse', username: ch.getUsername(), password: ch.getPassword() })
 *   .withCredentials('ralph', 'secret')
 *   .start();
 * const config = { backend: 'ralph', ...ralph.getLrsConfig() };
 */
export class RalphContainer {
  readonly #image: string;
  #username = 'ralph';
  #password = 'ralph-test-password';
  #clickhouse: RalphClickHouseBackend | undefined;
  #network: StartedNetworkLike | undefined;
  #aliases: string[] = ['ralph'];
  #startupTimeoutMs = 120_000;
  #lmsUrl = 'http://localhost:18000';

  /** @param image @default RALPH_IMAGE */
  constructor(image: string = RALPH_IMAGE) {
    this.#image = image;
  }

  /** The one Basic-auth user. @default "ralph" / a fixed test password */
  withCredentials(username: string, password: string): this {
    this.#username = username;
    this.#password = password;
    return this;
  }

  /** Ralph's ClickHouse backend (required: Ralph's heartbeat fails without it). */
  withClickHouse(backend: RalphClickHouseBackend): this {
    this.#clickhouse = backend;
    return this;
  }

  /** The Docker network shared with the ClickHouse container. */
  withNetwork(network: StartedNetworkLike): this {
    this.#network = network;
    return this;
  }

  /** @default ["ralph"] */
  withNetworkAliases(...aliases: string[]): this {
    this.#aliases = aliases;
    return this;
  }

  /** @default 120_000 */
  withStartupTimeout(ms: number): this {
    this.#startupTimeoutMs = ms;
    return this;
  }

  /** `homePage` of the user's `agent` (Ralph sets it as each statement's `authority`). @default "http://localhost:18000" */
  withLmsUrl(url: string): this {
    this.#lmsUrl = url;
    return this;
  }

  /** What `start()` will ask Docker for. */
  getSpec(): RalphContainerSpec {
    const ch = this.#clickhouse;
    if (!ch) {
      throw new Error('RalphContainer: call withClickHouse({ host, username, password }) before start()');
    }
    const users = [
      {
        username: this.#username,
        password: this.#password,
        scopes: ['ralph_scope'],
        agent: { account: { name: `__server_${this.#username}`, homePage: this.#lmsUrl } },
      },
    ];
    const prefix = 'RALPH_BACKENDS__LRS__CLICKHOUSE__';
    return {
      image: this.#image,
      command: [
        'python',
        '-c',
        RALPH_AUTH_BOOTSTRAP_PY,
        USERS_FILE,
        AUTH_FILE,
        '--',
        'uvicorn',
        'ralph.api:app',
        '--proxy-headers',
        '--host',
        '0.0.0.0',
        '--port',
        String(RALPH_PORT),
      ],
      environment: {
        RALPH_APP_DIR: '/tmp/xapi-db-load-ralph',
        RALPH_AUTH_FILE: AUTH_FILE,
        RALPH_RUNSERVER_BACKEND: 'clickhouse',
        [`${prefix}HOST`]: ch.host ?? 'clickhouse',
        [`${prefix}PORT`]: String(ch.port ?? CLICKHOUSE_CONTAINER_HTTP_PORT),
        [`${prefix}DATABASE`]: ch.database ?? 'xapi',
        [`${prefix}EVENT_TABLE_NAME`]: ch.eventTableName ?? 'xapi_events_all',
        [`${prefix}USERNAME`]: ch.username,
        [`${prefix}PASSWORD`]: ch.password,
      },
      files: [{ content: JSON.stringify(users), target: USERS_FILE, mode: 0o644 }],
      exposedPorts: [RALPH_PORT],
      networkAliases: this.#aliases,
      wait: { path: '/__heartbeat__', port: RALPH_PORT, statusCode: 200 },
      startupTimeoutMs: this.#startupTimeoutMs,
    };
  }

  /**
   * Starts the container and waits until `/__heartbeat__` answers 200 (Ralph reaches ClickHouse).
   * @throws ContainerUnavailableError without testcontainers or Docker
   */
  async start(): Promise<StartedRalphContainer> {
    const spec = this.getSpec();
    const tc = await loadTestcontainers();
    let container = new tc.GenericContainer(spec.image)
      .withEnvironment({ ...spec.environment })
      .withCommand([...spec.command])
      .withExposedPorts(...spec.exposedPorts)
      .withCopyContentToContainer(spec.files.map((f) => ({ ...f })))
      .withWaitStrategy(tc.Wait.forHttp(spec.wait.path, spec.wait.port).forStatusCode(spec.wait.statusCode))
      .withStartupTimeout(spec.startupTimeoutMs);
    if (this.#network) container = container.withNetwork(this.#network).withNetworkAliases(...spec.networkAliases);
    let started: StartedContainerLike;
    try {
      started = await container.start();
    } catch (error) {
      throw new Error(`Cannot start Ralph container ${spec.image}: ${firstLine(describeError(error))}`, {
        cause: error,
      });
    }
    return new StartedRalphContainer(started, this.#username, this.#password);
  }
}

/** A running Ralph container. `await using` stops it. */
export class StartedRalphContainer implements AsyncDisposable {
  readonly #container: StartedContainerLike;
  readonly #username: string;
  readonly #password: string;
  #stopped = false;

  constructor(container: StartedContainerLike, username: string, password: string) {
    this.#container = container;
    this.#username = username;
    this.#password = password;
  }

  getHost(): string {
    return this.#container.getHost();
  }

  getMappedPort(): number {
    return this.#container.getMappedPort(RALPH_PORT);
  }

  /** `http://<host>:<port>` as seen from this machine. */
  getUrl(): string {
    return `http://${this.getHost()}:${this.getMappedPort()}`;
  }

  /** The statements endpoint: the `lrs_url` of a config. */
  getStatementsUrl(): string {
    return `${this.getUrl()}/xAPI/statements`;
  }

  getUsername(): string {
    return this.#username;
  }

  getPassword(): string {
    return this.#password;
  }

  /** The config keys that point the ralph backend at this container. */
  getLrsConfig(): { lrs_url: string; lrs_username: string; lrs_password: string } {
    return { lrs_url: this.getStatementsUrl(), lrs_username: this.#username, lrs_password: this.#password };
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#container.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  toString(): string {
    return `Ralph container at ${this.getUrl()} (user ${this.#username})`;
  }
}
