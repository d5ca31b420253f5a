/** The {@link ClickHouse} handle every target ends in, and what opening a target shares. */

import { inspect } from 'node:util';
import type { ClickHouseClient, ClickHouseLogLevel, ClickHouseSettings, createClient } from '@clickhouse/client';
import { loginSecrets, redactSecrets } from '../secrets.ts';
import type { ClickHouse, ClickHouseTargetKind, DictionaryCredentials } from './connect.ts';

export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

/** What every client is created with, whatever the target. */
export interface ClientBase {
  readonly settings: ClickHouseSettings;
  readonly log: { readonly level: ClickHouseLogLevel };
  readonly createClient: typeof createClient;
}

export interface HandleParts {
  readonly client: ClickHouseClient;
  readonly kind: ClickHouseTargetKind;
  readonly description: string;
  readonly serverVersion: string;
  readonly credentials: DictionaryCredentials | null;
  readonly onClose?: () => Promise<void>;
}

export class ClickHouseHandle implements ClickHouse {
  readonly client: ClickHouseClient;
  readonly kind: ClickHouseTargetKind;
  readonly description: string;
  readonly serverVersion: string;
  // Private fields are invisible to console.log / JSON.stringify / structuredClone.
  readonly #credentials: DictionaryCredentials | null;
  readonly #onClose: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(parts: HandleParts) {
    this.client = parts.client;
    this.kind = parts.kind;
    this.description = parts.description;
    this.serverVersion = parts.serverVersion;
    this.#credentials = parts.credentials;
    this.#onClose = parts.onClose;
  }

  get dictionaryCredentials(): DictionaryCredentials | null {
    return this.#credentials;
  }

  redact(text: string): string {
    return redactSecrets(
      text,
      this.#credentials ? loginSecrets(this.#credentials.username, this.#credentials.password) : [],
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.client.close();
    } finally {
      await this.#onClose?.();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  toString(): string {
    return this.description;
  }

  toJSON(): { kind: ClickHouseTargetKind; description: string; serverVersion: string } {
    return { kind: this.kind, description: this.description, serverVersion: this.serverVersion };
  }

  [inspect.custom](): string {
    return `ClickHouse { ${this.description}, version ${this.serverVersion} }`;
  }
}

/** Runs `SELECT version()`: proves reachability AND credentials (`/ping` checks neither). */
export async function queryVersion(client: ClickHouseClient, signal?: AbortSignal): Promise<string> {
  const rs = await client.query({
    query: 'SELECT version() AS version',
    format: 'JSONEachRow',
    ...(signal ? { abort_signal: signal } : {}),
  });
  const rows = await rs.json<{ version: string }>();
  return rows[0]?.version ?? 'unknown';
}

/** Best effort close of a client that failed its first query; the original error wins. */
export async function closeQuietly(client: ClickHouseClient): Promise<void> {
  try {
    await client.close();
  } catch {
    // The connection already failed; the caller rethrows that failure.
  }
}
