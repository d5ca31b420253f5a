/**
 * Long statements that the run's abort signal (Ctrl-C, SIGTERM) stops within a second.
 *
 * A server cancels the query when its HTTP request is aborted. The embedded engine cannot: an
 * aborted chdb call only rejects early while the engine finishes the statement, and the same
 * connection runs nothing else until then (measured: a ledger write waited 244 s behind a
 * cancelled insert). A second connection to the same data directory runs beside the first, and
 * `KILL QUERY` from it stops the statement in ~0.3 s. The statement carries a unique comment,
 * because chdb does not pass the client's `query_id` to the engine.
 */

import { randomUUID } from 'node:crypto';
import type { ClickHouseSettings } from '@clickhouse/client';
import { type ClickHouse, createClickHouse, embeddedPathInUse } from '../../clickhouse/connect.ts';
import { describeError } from '../../errors.ts';

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
  const marker = `xapi-db-load-${randomUUID()}`;
  let killing: Promise<void> | undefined;
  const onAbort = () => {
    killing = killEmbedded(marker).catch((error: unknown) =>
      log(`Could not cancel the running statement: ${describeError(error).split('\n')[0]}`),
    );
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await ch.client.command({ ...statement, query: `/* ${marker} */ ${statement.query}` });
  } finally {
    signal.removeEventListener('abort', onAbort);
    await killing;
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
