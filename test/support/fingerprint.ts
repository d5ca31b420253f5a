/**
 * Per-table fingerprints of a seeded schema: row count and an order-independent hash of every
 * row of every MergeTree table (collapsing engines read with FINAL, so background merges do not
 * change the answer). Two loads that give equal fingerprints hold the same rows.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export type Fingerprints = Record<string, { rows: string; hash: string }>;

export async function tableFingerprints(client: ClickHouseClient, databases: readonly string[]): Promise<Fingerprints> {
  const rs = await client.query({
    query: `SELECT database, name, engine FROM system.tables
            WHERE database IN {databases: Array(String)} AND engine LIKE '%MergeTree' ORDER BY database, name`,
    query_params: { databases },
    format: 'JSONEachRow',
  });
  const out: Fingerprints = {};
  for (const t of await rs.json<{ database: string; name: string; engine: string }>()) {
    const final = t.engine === 'MergeTree' ? '' : ' FINAL';
    const r = await client.query({
      query: `SELECT toString(count()) AS rows, toString(sum(cityHash64(*))) AS hash FROM ${t.database}.${t.name}${final}`,
      format: 'JSONEachRow',
    });
    out[`${t.database}.${t.name}`] = (await r.json<{ rows: string; hash: string }>())[0] as {
      rows: string;
      hash: string;
    };
  }
  return out;
}
