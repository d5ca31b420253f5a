/**
 * Copies a loaded Aspects schema to new database names on the same server without loading
 * anything again: the schema is created under the new names, then every MergeTree table takes
 * the template's parts with `ALTER TABLE … ATTACH PARTITION ID … FROM` (a server-side hard-link
 * copy; materialized views do not fire), and the dictionaries are reloaded from the copied
 * tables. This is how a test file on a shared server gets a private, writable copy in a fraction
 * of a load.
 */

import type { ClickHouse } from '../clickhouse/connect.ts';
import { countRows, type TableCounts } from '../clickhouse/counts.ts';
import { aspectsDbtTag, initSchema, reloadDictionaries, type SchemaNames } from '../clickhouse/schema.ts';
import { describeError, VerificationError, XapiDbLoadError } from '../errors.ts';
import { ledgerDdl } from './ledger.ts';

/** Engines that hold no data of their own: created by the schema, nothing to copy. */
const SCHEMA_ONLY_ENGINES = new Set(['View', 'MaterializedView', 'Dictionary']);

export interface TemplateCopyResult {
  /** Tables whose partitions were attached, and how many partitions each. */
  readonly partitions: Readonly<Record<string, number>>;
  readonly counts: TableCounts;
}

/**
 * Creates the schema `to` and fills it from the loaded schema `from` on the same server, then
 * checks that the copy counts what `expected` says (usually the template's counts).
 *
 * @example
 * await copyLoadedSchema(ch, DEFAULT_SCHEMA_NAMES, { ...DEFAULT_SCHEMA_NAMES, xapiDb: 'xapi_f1', … }, counts);
 */
export async function copyLoadedSchema(
  ch: ClickHouse,
  from: SchemaNames,
  to: SchemaNames,
  expected: TableCounts,
): Promise<TemplateCopyResult> {
  // Partitions attach only to tables of the same shape: both sides must be one release.
  const fromTag = aspectsDbtTag(from.aspectsVersion);
  const toTag = aspectsDbtTag(to.aspectsVersion);
  if (fromTag !== toTag) {
    throw new XapiDbLoadError(`Cannot copy an aspects-dbt ${fromTag} schema into an aspects-dbt ${toTag} one`);
  }
  await initSchema(ch, to);
  // The load stage creates the ledger, not the schema: the copy gets one too, and the template's
  // ledger rows with its partitions, so the copy says what was loaded into it.
  await ch.client.command({ query: ledgerDdl(to) });
  const pairs: [string, string][] = [
    [from.eventSinkDb, to.eventSinkDb],
    [from.xapiDb, to.xapiDb],
    [from.reportingDb, to.reportingDb],
  ];
  const partitions: Record<string, number> = {};
  for (const [source, target] of pairs) {
    const rs = await ch.client.query({
      query: `SELECT name, engine FROM system.tables WHERE database = {db: String} ORDER BY name`,
      query_params: { db: source },
      format: 'JSONEachRow',
    });
    for (const { name, engine } of await rs.json<{ name: string; engine: string }>()) {
      if (SCHEMA_ONLY_ENGINES.has(engine)) continue;
      if (!engine.endsWith('MergeTree')) {
        throw new XapiDbLoadError(`Cannot copy ${source}.${name}: engine ${engine} has no partitions to attach`);
      }
      const ids = await ch.client.query({
        query: `SELECT DISTINCT partition_id FROM system.parts
                WHERE database = {db: String} AND table = {table: String} AND active ORDER BY partition_id`,
        query_params: { db: source, table: name },
        format: 'JSONEachRow',
      });
      const list = (await ids.json<{ partition_id: string }>()).map((r) => r.partition_id);
      for (const id of list) {
        // Partition ids are ClickHouse's own (`202301`, `all`, hex hashes); checked before inlining.
        if (!/^[A-Za-z0-9_-]+$/.test(id)) {
          throw new XapiDbLoadError(`Cannot copy ${source}.${name}: unexpected partition id ${JSON.stringify(id)}`);
        }
        try {
          await ch.client.command({
            query: `ALTER TABLE ${target}.${name} ATTACH PARTITION ID '${id}' FROM ${source}.${name}`,
          });
        } catch (error) {
          throw new XapiDbLoadError(
            `Cannot attach partition ${id} of ${source}.${name} to ${target}.${name} on ${ch.description}: ${describeError(error)}`,
            { cause: error },
          );
        }
      }
      partitions[`${target}.${name}`] = list.length;
    }
  }
  // The dictionaries of the copy read the copy's event-sink tables, filled just now.
  await reloadDictionaries(ch, to);
  const counts = await countRows(ch, to);
  const differ = (Object.keys(expected) as (keyof TableCounts)[]).filter((t) => counts[t] !== expected[t]);
  if (differ.length > 0) {
    throw new VerificationError(
      `The copy of ${from.xapiDb}/${from.eventSinkDb} into ${to.xapiDb}/${to.eventSinkDb} on ${ch.description} counts other rows:\n  - ` +
        differ.map((t) => `${t}: expected ${expected[t]}, found ${counts[t]}`).join('\n  - '),
    );
  }
  return { partitions, counts };
}
