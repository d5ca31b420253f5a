/**
 * Which ClickHouse `seedAspects` seeds: `embedded` (chdb in this process), `container` (Docker),
 * `external` (an existing server), or `auto`, which decides and says why in one line.
 */

import type { ClickHouseTarget, UrlTarget } from '../clickhouse/connect.ts';
import type { Config } from '../config/types.ts';
import { ConfigError, ContainerUnavailableError, describeError } from '../errors.ts';
import { loadTestcontainers } from './ralph-container.ts';

export const PROVIDERS = ['auto', 'embedded', 'container', 'external'] as const;
export type ProviderName = (typeof PROVIDERS)[number];
export type ResolvedProviderName = Exclude<ProviderName, 'auto'>;

/** `http(s)://user:password@host:port` of an existing ClickHouse; picked by `external` and by `auto`. */
export const CLICKHOUSE_URL_ENV = 'XAPI_DB_LOAD_CLICKHOUSE_URL';
/** Overrides the provider when the caller passes none (e.g. `XAPI_DB_LOAD_PROVIDER=embedded` in CI). */
export const PROVIDER_ENV = 'XAPI_DB_LOAD_PROVIDER';

export type DockerProbe = () => Promise<{ ok: true } | { ok: false; reason: string }>;

/** Asks testcontainers whether a Docker engine answers; never throws. */
export const probeDocker: DockerProbe = async () => {
  try {
    await loadTestcontainers();
    return { ok: true };
  } catch (error) {
    const reason = error instanceof ContainerUnavailableError ? error.reason : describeError(error);
    return { ok: false, reason };
  }
};

export interface ProviderChoice {
  readonly name: ResolvedProviderName;
  /** One line: which provider and why. */
  readonly reason: string;
  /** Set for `external`: the server to connect to. */
  readonly target?: UrlTarget;
}

export interface ChooseProviderOptions {
  readonly provider?: ProviderName;
  /** External server URL, e.g. `http://default:secret@localhost:8123`. @default env XAPI_DB_LOAD_CLICKHOUSE_URL */
  readonly url?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly probeDocker?: DockerProbe;
}

/** A URL target from `http(s)://user:password@host:port`; the password never reaches a message. */
export function urlTargetFromString(url: string, database: string, key = CLICKHOUSE_URL_ENV): UrlTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError([
      { key, message: `${key}: got an unparsable URL; expected http(s)://user:password@host:port` },
    ]);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError([{ key, message: `${key}: got scheme "${parsed.protocol}"; expected http: or https:` }]);
  }
  return {
    kind: 'url',
    host: `${parsed.protocol}//${parsed.hostname}`,
    port: parsed.port === '' ? null : Number(parsed.port),
    username: parsed.username === '' ? 'default' : decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  };
}

/**
 * Decides the provider. `external` uses `url`, else `XAPI_DB_LOAD_CLICKHOUSE_URL`, else the
 * config's `db_host` & co; `auto` takes `XAPI_DB_LOAD_CLICKHOUSE_URL` when set, else a container
 * when Docker answers, else the embedded engine.
 */
export async function chooseProvider(config: Config, options: ChooseProviderOptions = {}): Promise<ProviderChoice> {
  const env = options.env ?? process.env;
  const requested = options.provider ?? (env[PROVIDER_ENV] as ProviderName | undefined) ?? 'auto';
  if (!PROVIDERS.includes(requested)) {
    throw new ConfigError([
      { key: 'provider', message: `provider: got "${requested}"; expected one of ${PROVIDERS.join(', ')}` },
    ]);
  }
  const url = options.url ?? (env[CLICKHOUSE_URL_ENV] || undefined);
  switch (requested) {
    case 'embedded':
      return { name: 'embedded', reason: 'provider embedded: ClickHouse in this process (chdb)' };
    case 'container':
      return { name: 'container', reason: 'provider container: a ClickHouse container (Docker)' };
    case 'external': {
      const target = url ? urlTargetFromString(url, config.dbName) : configTarget(config);
      return { name: 'external', reason: `provider external: the ClickHouse server at ${target.host}`, target };
    }
    case 'auto': {
      if (url) {
        const target = urlTargetFromString(url, config.dbName);
        return {
          name: 'external',
          reason: `provider auto → external: ${CLICKHOUSE_URL_ENV} is set (${target.host})`,
          target,
        };
      }
      const docker = await (options.probeDocker ?? probeDocker)();
      if (docker.ok) return { name: 'container', reason: 'provider auto → container: a Docker engine answers' };
      return {
        name: 'embedded',
        reason: `provider auto → embedded (chdb): Docker is not available: ${docker.reason}`,
      };
    }
  }
}

function configTarget(config: Config): UrlTarget {
  return {
    kind: 'url',
    host: config.dbHost,
    port: config.dbPort,
    username: config.dbUsername,
    password: config.dbPassword,
    database: config.dbName,
    connectTimeoutMs: config.dbConnectTimeout === null ? null : config.dbConnectTimeout * 1000,
  };
}

export type { ClickHouseTarget };
