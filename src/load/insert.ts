/** One rendered `INSERT … SELECT` of the load stage, run with the bulk settings. */

import { BULK_INSERT_SETTINGS } from '../clickhouse/bulk.ts';
import { type ClickHouse, redactSecrets } from '../clickhouse/connect.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { commandCancellable } from './stream/cancel.ts';

export interface InsertStatement {
  readonly query: string;
  readonly params: Readonly<Record<string, string>>;
  /** `db.table` */
  readonly target: string;
}

/**
 * Runs `statement` (values bound, never in the SQL). `shown` names the file without credentials;
 * a ClickHouse error is reported without secrets and without its stack suffix.
 */
export async function runInsert(
  ch: ClickHouse,
  statement: InsertStatement,
  shown: string,
  secrets: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  try {
    await commandCancellable(
      ch,
      { query: statement.query, query_params: { ...statement.params }, clickhouse_settings: BULK_INSERT_SETTINGS },
      signal,
    );
  } catch (error) {
    const reason = redactSecrets(ch.redact(describeError(error).split('\n')[0] ?? ''), secrets);
    throw new XapiDbLoadError(`Loading ${shown} into ${statement.target} failed on ${ch.description}: ${reason}`, {
      cause: error,
    });
  }
}
