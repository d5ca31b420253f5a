/**
 * Long statements that the run's abort signal (Ctrl-C, SIGTERM) stops within a second.
 *
 * A server cancels the query when its HTTP request is aborted. The embedded engine cannot: an
 * aborted chdb call only rejects early while the engine finishes the statement, and the same
 * connection runs nothing else until then (measured: a ledger write waited 244 s behind a
 * cancelled insert). A second connection to the same data directory runs beside the first, and
 * `KILL QUERY` from it stops the statement in ~0.3 s. The statement carries a unique comment,
 * because chdb does not pass the client's `query_id` to the engine. Its `String` parameters are
 * inlined as quoted literals: a statement chdb binds itself cannot be killed (measured: the
 * `KILL` waited for the whole statement), and binding would also strip the comment.
 */

import { randomUUID } from 'node:crypto';
import type { ClickHouseSettings } from '@clickhouse/client';
import { type ClickHouse, createClickHouse } from '../../clickhouse/connect.ts';
import { embeddedPathInUse } from '../../clickhouse/embedded.ts';
import { optimizeStatements, type SchemaNames } from '../../clickhouse/schema.ts';
import { describeError, XapiDbLoadError } from '../../errors.ts';

export interface Statement {
  readonly query: string;
  readonly query_params?: Record<string, unknown>;
  readonly clickhouse_settings?: ClickHouseSettings;
}

/** Runs `statement`; when `signal` fires, the statement is cancelled (and this rejects). */
export async function commandCancellable(
  ch: ClickHouse,
  statement: Statement,
  signal: AbortSignal | undefined,
  log: (line: string) => void = () => {},
): Promise<void> {
  if (!signal) {
    await ch.client.command(statement);
    return;
  }
  signal.throwIfAborted();
  if (ch.kind !== 'embedded') {
    await ch.client.command({ ...statement, abort_signal: signal });
    return;
  }
  const query = inlineStringParams(statement.query, statement.query_params ?? {});
  if (query === null) {
    await ch.client.command({ ...statement, abort_signal: signal });
    return;
  }
  const marker = `xapi-db-load-${randomUUID()}`;
  let killing: Promise<void> | undefined;
  const onAbort = () => {
    killing = killEmbedded(marker).catch((error: unknown) =>
      log(`Could not cancel the running statement: ${describeError(error).split('\n')[0]}`),
    );
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await ch.client.command({
      query: `/* ${marker} */ ${query}`,
      ...(statement.clickhouse_settings ? { clickhouse_settings: statement.clickhouse_settings } : {}),
    });
  } finally {
    signal.removeEventListener('abort', onAbort);
    await killing;
  }
}

/** `OPTIMIZE TABLE … FINAL` on every collapsing table of the schema, each cancelled by `signal`. */
export async function optimizeFinalCancellable(
  ch: ClickHouse,
  names: SchemaNames,
  signal?: AbortSignal,
): Promise<void> {
  for (const query of optimizeStatements(names)) {
    signal?.throwIfAborted();
    try {
      await commandCancellable(ch, { query }, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new XapiDbLoadError(`${query} failed on ${ch.description}: ${ch.redact(describeError(error))}`, {
        cause: error,
      });
    }
  }
}

/** `KILL QUERY` for the statement tagged `marker`, from a second connection to the same engine. */
async function killEmbedded(marker: string): Promise<void> {
  const path = embeddedPathInUse();
  const killer = await createClickHouse(
    path === null || path === ':memory:' ? { kind: 'embedded' } : { kind: 'embedded', path },
  );
  try {
    await killer.client.command({
      query: "KILL QUERY WHERE position(query, {marker:String}) > 0 AND query NOT LIKE 'KILL QUERY%' ASYNC",
      query_params: { marker },
    });
  } finally {
    await killer.close();
  }
}

/** A ClickHouse string literal of `value` (backslash and quote escaped). */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * `query` with every `{name:String}` placeholder replaced by its quoted value, or `null` when a
 * placeholder of another type (or without a value) is left: such a statement stays bound.
 */
export function inlineStringParams(query: string, params: Readonly<Record<string, unknown>>): string | null {
  let complete = true;
  const inlined = query.replace(/\{([A-Za-z_][A-Za-z0-9_]*):String\}/g, (placeholder, name: string) => {
    const value = params[name];
    if (typeof value !== 'string') {
      complete = false;
      return placeholder;
    }
    return quoteString(value);
  });
  return complete && !/\{[A-Za-z_][A-Za-z0-9_]*:[^}]+\}/.test(inlined.replace(/'(?:[^'\\]|\\.)*'/g, "''"))
    ? inlined
    : null;
}
