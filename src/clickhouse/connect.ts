/**
 * One `@clickhouse/client` for three kinds of ClickHouse:
 *
 * - `embedded`: the ClickHouse engine in-process through `chdb` (optional dependency, loaded
 *   lazily) and its `chdb/connection` hook for `createClient({ connection })`;
 * - `url`: an existing server over HTTP(S);
 * - `container`: a throw-away server started with `@testcontainers/clickhouse` (optional,
 *   loaded lazily; needs Docker).
 *
 * Whatever the target, callers get a {@link ClickHouse} handle (handle.ts): the client, a
 * description that is safe to print (never the password) and `close()` / `await using`. This file
 * names the targets and opens servers; embedded.ts and container.ts open the optional ones.
 */

import { resolve as resolvePath } from 'node:path';
import type { ClickHouseClient, ClickHouseLogLevel, ClickHouseSettings } from '@clickhouse/client';
import type { Config } from '../config/types.ts';
import { ConnectionError, describeError, XapiDbLoadError } from '../errors.ts';
import { loginSecrets, maskUserinfo, redactSecrets } from '../secrets.ts';
import { firstLine } from '../util/format.ts';
import { openContainer } from './container.ts';
import { type ChdbConnectionModule, openEmbedded } from './embedded.ts';
import { ClickHouseHandle, type ClientBase, closeQuietly, DEFAULT_REQUEST_TIMEOUT_MS, queryVersion } from './handle.ts';

export { redactSecrets };

/**
 * Image of the `container` target: the ClickHouse release Aspects deploys
 * (tutor-contrib-aspects `DOCKER_IMAGE_CLICKHOUSE`, 25.8 LTS). Bump it together with Aspects so
 * reports are checked against the engine they run on in production.
 */
export const CLICKHOUSE_IMAGE = 'clickhouse/clickhouse-server:25.8';

/** HTTP ports of ClickHouse's default configuration. */
export const CLICKHOUSE_HTTP_PORT = 8123;
export const CLICKHOUSE_HTTPS_PORT = 8443;

/** In-process ClickHouse (chdb). chdb binds ONE data directory per process. */
export interface EmbeddedTarget {
  readonly kind: 'embedded';
  /** Data directory; `:memory:` (a temporary directory shared by the process) when absent. */
  readonly path?: string;
}

/** An existing ClickHouse server reached over HTTP(S). */
export interface UrlTarget {
  readonly kind: 'url';
  /** Host name or IP, optionally with an `http://` / `https://` scheme. */
  readonly host: string;
  /** HTTP(S) port; `null` = 8123, or 8443 when `secure`. */
  readonly port: number | null;
  readonly username: string;
  /** Secret: never printed, never part of an error message. */
  readonly password: string;
  /**
   * The database the tool loads into (`db_name`). Only reported: every statement of this
   * package names its database, and the client's session database stays the server default
   * so that connecting works before the schema exists.
   */
  readonly database: string;
  /** HTTPS. @default true when the port ends in 443 or 440 (the original tool's rule), else false */
  readonly secure?: boolean;
  /** Per-request timeout. @default 300_000 */
  readonly requestTimeoutMs?: number;
  /**
   * How long the first query may take before the server counts as unreachable (a server that
   * accepts the connection and never answers would otherwise hold the run for the request
   * timeout). `null` = the request timeout. @default 10_000
   */
  readonly connectTimeoutMs?: number | null;
}

/** A ClickHouse server in a Docker container, started for this process and removed on close. */
export interface ContainerTarget {
  readonly kind: 'container';
  /** @default CLICKHOUSE_IMAGE */
  readonly image?: string;
}

export type ClickHouseTarget = EmbeddedTarget | UrlTarget | ContainerTarget;
export type ClickHouseTargetKind = ClickHouseTarget['kind'];

/** Where ClickHouse runs, one word each: the Action's `target` input uses these words too. */
export const CLICKHOUSE_TARGET_KINDS = [
  'embedded',
  'url',
  'container',
] as const satisfies readonly ClickHouseTargetKind[];

/** User and password that server-side dictionary sources log in with (see schema.ts). */
export interface DictionaryCredentials {
  readonly username: string;
  readonly password: string;
}

/** A live connection. Printing it (`String`, `JSON.stringify`, `console.log`) shows only {@link description}. */
export interface ClickHouse extends AsyncDisposable {
  readonly client: ClickHouseClient;
  readonly kind: ClickHouseTargetKind;
  /** Where and as whom, e.g. `ClickHouse server at https://ch.example.com:8443 (user ch_admin)`. */
  readonly description: string;
  /** `SELECT version()` of the engine. */
  readonly serverVersion: string;
  /** Login for dictionary sources; `null` for the embedded engine, which needs none. */
  readonly dictionaryCredentials: DictionaryCredentials | null;
  /** Replaces every secret of this connection in `text` with `***`. */
  redact(text: string): string;
  close(): Promise<void>;
}

export interface CreateClickHouseOptions {
  /** Extra settings sent with every query (merged over the defaults below). */
  readonly clickhouseSettings?: ClickHouseSettings;
  /**
   * Level of `@clickhouse/client`'s own console logger. Off by default: every failure reaches
   * the caller as an error with context, and the client would print it a second time (with
   * whatever the server echoed).
   * @default ClickHouseLogLevel.OFF
   */
  readonly clientLogLevel?: ClickHouseLogLevel;
  /**
   * `chdb/connection`, already loaded, for the embedded target: lets a caller that resolves chdb
   * from elsewhere (the GitHub Action installs it at run time) skip {@link loadChdbConnection}.
   * @default loadChdbConnection()
   */
  readonly chdbModule?: ChdbConnectionModule;
}

/**
 * Settings every target gets. `date_time_input_format` is Ralph's client option, so ISO-8601
 * timestamps with offsets parse. The JSON quoting of 64-bit integers is pinned because its
 * default differs between the embedded engine (numbers) and servers (strings): with it set,
 * `count()` arrives as a string on every target.
 */
export const BASE_SETTINGS: ClickHouseSettings = {
  date_time_input_format: 'best_effort',
  output_format_json_quote_64bit_integers: 1,
};

/**
 * Settings of the HTTP targets: loads (`INSERT … SELECT FROM s3(…)`) can run for minutes, and a
 * load balancer drops an HTTP connection that stays silent longer than its idle timeout
 * (often 120 s); progress headers every 110 s keep it alive.
 */
const HTTP_SETTINGS: ClickHouseSettings = {
  send_progress_in_http_headers: 1,
  http_headers_progress_interval_ms: '110000',
};

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens a ClickHouse target and checks that it answers a query with the given credentials.
 * Connection problems (chdb missing, unreachable host, wrong password, no Docker) become an
 * {@link XapiDbLoadError} naming the target; the password never appears in the message.
 *
 * @example
 * await using ch = await createClickHouse({ kind: 'embedded' });
 * const rs = await ch.client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
 */
export async function createClickHouse(
  target: ClickHouseTarget,
  options: CreateClickHouseOptions = {},
): Promise<ClickHouse> {
  // Imported here, not at the top: loading the client (and its HTTP stack) took ~100 ms of every
  // process start, including runs that never talk to ClickHouse (the csv backend, #13).
  const { ClickHouseLogLevel, createClient } = await import('@clickhouse/client');
  const log = { level: options.clientLogLevel ?? ClickHouseLogLevel.OFF };
  const settings = { ...BASE_SETTINGS, ...options.clickhouseSettings };
  const httpSettings = { ...BASE_SETTINGS, ...HTTP_SETTINGS, ...options.clickhouseSettings };
  switch (target.kind) {
    case 'embedded':
      return openEmbedded(target, describeTarget(target), { settings, log, createClient }, options.chdbModule);
    case 'url':
      return openUrl(target, { settings: httpSettings, log, createClient });
    case 'container':
      return openContainer(target.image ?? CLICKHOUSE_IMAGE, { settings: httpSettings, log, createClient });
    default: {
      const unknown: never = target;
      throw new XapiDbLoadError(`Unknown ClickHouse target kind: ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The target a validated config points at. The rule, on `db_host`:
 *
 * - `embedded` (or empty) → the in-process engine in a temporary directory;
 *   `embedded:<dir>` → the in-process engine on the data directory `<dir>`;
 * - `container` → a ClickHouse container ({@link CLICKHOUSE_IMAGE});
 *   `container:<image>` → that image;
 * - anything else → a server at `db_host`:`db_port` with `db_username` / `db_password`.
 *
 * @example
 * targetFromConfig({ dbHost: 'embedded', dbPort: null, dbUsername: 'default', dbPassword: '', dbName: 'xapi' });
 * // → { kind: 'embedded' }
 */
export function targetFromConfig(
  config: Pick<Config, 'dbHost' | 'dbPort' | 'dbUsername' | 'dbPassword' | 'dbName'> &
    Partial<Pick<Config, 'dbConnectTimeout'>>,
  cwd: string = process.cwd(),
): ClickHouseTarget {
  const host = (config.dbHost ?? '').trim();
  if (host === '' || host === 'embedded') return { kind: 'embedded' };
  if (host.startsWith('embedded:')) {
    const path = host.slice('embedded:'.length);
    if (path === '') return { kind: 'embedded' };
    // A relative data directory is relative to where the command runs, fixed once here so every
    // caller opens the same directory.
    return { kind: 'embedded', path: path === ':memory:' ? path : resolvePath(cwd, path) };
  }
  if (host === 'container') return { kind: 'container' };
  if (host.startsWith('container:')) {
    const image = host.slice('container:'.length);
    return image === '' ? { kind: 'container' } : { kind: 'container', image };
  }
  return {
    kind: 'url',
    host,
    port: config.dbPort,
    username: config.dbUsername,
    password: config.dbPassword,
    database: config.dbName,
    ...(config.dbConnectTimeout === undefined
      ? {}
      : { connectTimeoutMs: config.dbConnectTimeout === null ? null : config.dbConnectTimeout * 1000 }),
  };
}

/** The original tool's rule: a port ending in 443 or 440 (8443, 9440, 443, …) speaks TLS. */
export function isSecurePort(port: number): boolean {
  const text = String(port);
  return text.endsWith('443') || text.endsWith('440');
}

/** Scheme, host and port a url target resolves to. */
export interface ResolvedUrl {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
}

/** Applies the scheme and default-port rules to a url target. */
export function resolveUrlTarget(target: Pick<UrlTarget, 'host' | 'port' | 'secure'>): ResolvedUrl {
  let host = target.host.trim();
  let secure = target.secure;
  const scheme = /^(https?):\/\//i.exec(host);
  if (scheme) {
    secure ??= scheme[1]?.toLowerCase() === 'https';
    host = host.slice(scheme[0].length).replace(/\/+$/, '');
  }
  if (host === '' || /[/?#@\s]/.test(host)) {
    throw new XapiDbLoadError(
      `db_host: got ${JSON.stringify(maskUserinfo(target.host))}; expected a host name or IP address`,
    );
  }
  secure ??= target.port !== null && isSecurePort(target.port);
  const port = target.port ?? (secure ? CLICKHOUSE_HTTPS_PORT : CLICKHOUSE_HTTP_PORT);
  // A bare IPv6 address needs brackets inside a URL.
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { url: `${secure ? 'https' : 'http'}://${urlHost}:${port}`, host, port, secure };
}

/** One line naming the target, for logs and error messages. Never contains the password. */
export function describeTarget(target: ClickHouseTarget): string {
  switch (target.kind) {
    case 'embedded':
      return `embedded ClickHouse (chdb, ${target.path ?? ':memory:'})`;
    case 'container':
      return `ClickHouse container (${target.image ?? CLICKHOUSE_IMAGE})`;
    case 'url': {
      let where: string;
      try {
        where = resolveUrlTarget(target).url;
      } catch {
        where = JSON.stringify(maskUserinfo(target.host));
      }
      return `ClickHouse server at ${where} (user ${target.username}, database ${target.database})`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// url (existing server)

async function openUrl(target: UrlTarget, base: ClientBase): Promise<ClickHouse> {
  const resolved = resolveUrlTarget(target);
  const description = `ClickHouse server at ${resolved.url} (user ${target.username}, database ${target.database})`;
  const client = base.createClient({
    url: resolved.url,
    username: target.username,
    password: target.password,
    request_timeout: target.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    clickhouse_settings: base.settings,
    log: base.log,
  });
  const secrets = loginSecrets(target.username, target.password);
  const connectTimeoutMs = target.connectTimeoutMs === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : target.connectTimeoutMs;
  const signal = connectTimeoutMs === null ? undefined : AbortSignal.timeout(connectTimeoutMs);
  let serverVersion: string;
  try {
    serverVersion = await queryVersion(client, signal);
  } catch (error) {
    await closeQuietly(client);
    const reason = signal?.aborted
      ? `no answer within ${formatSeconds(connectTimeoutMs ?? 0)} (db_connect_timeout)`
      : redactSecrets(connectionFailureReason(error), secrets);
    throw new ConnectionError(
      `Cannot connect to ClickHouse at ${resolved.host}:${resolved.port} (${resolved.secure ? 'https' : 'http'}, ` +
        `user ${target.username}): ${reason}`,
      `ClickHouse at ${resolved.host}:${resolved.port}`,
      { cause: sanitizeCause(error, secrets) },
    );
  }
  return new ClickHouseHandle({
    client,
    kind: 'url',
    description,
    serverVersion,
    credentials: { username: target.username, password: target.password },
  });
}

/** A short, specific reason for a failed first query (refused, DNS, TLS, auth, …). */
function connectionFailureReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = firstLine(describeError(error));
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && !message.includes(code)) return `${code}: ${message}`;
  return message;
}

/** Keeps the cause unless its message would leak a secret; then an equivalent redacted Error. */
function sanitizeCause(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error)) return error;
  const redacted = redactSecrets(error.message, secrets);
  if (redacted === error.message) return error;
  const safe = new Error(redacted);
  safe.name = error.name;
  return safe;
}

/** `10 s`, `0.5 s`. */
function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
