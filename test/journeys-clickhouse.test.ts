/**
 * The journeys files load into the real ClickHouse engine (embedded chDB) with the documented
 * structures and the expected tables' DDL, every row parsed with its type.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { resolveJourneysConfig } from '../src/journeys/config.ts';
import { expectedStructure, expectedTableDdl, FILE_STRUCTURES } from '../src/journeys/expected-ddl.ts';
import { generateJourneys, JOURNEYS_FILES } from '../src/journeys/generate.ts';
import { EXPECTED_TABLES } from '../src/journeys/oracle.ts';

let work: string;
let ch: ClickHouse;
let rows: Record<string, number>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'xapi-db-load-journeys-ch-'));
  const doc = parse(await readFile(new URL('../configs/journeys/oracle.yaml', import.meta.url), 'utf8'));
  const config = resolveJourneysConfig(doc, { overrides: { outputDir: work, now: '2026-10-08 12:00:00' } });
  rows = (await generateJourneys(config)).rows;
  ch = await createClickHouse({ kind: 'embedded', path: join(work, 'chdb') });
}, 300_000);

afterAll(async () => {
  await ch?.close();
  await rm(work, { recursive: true, force: true });
});

async function count(query: string, params: Record<string, unknown>): Promise<number> {
  const result = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' });
  const [row] = (await result.json()) as Array<{ n: string }>;
  return Number(row?.n);
}

describe('journeys files in ClickHouse', () => {
  it('the expected tables load with their DDL, every value typed', async () => {
    await ch.client.command({ query: 'CREATE DATABASE IF NOT EXISTS journeys' });
    for (const table of EXPECTED_TABLES) {
      await ch.client.command({ query: expectedTableDdl('journeys', table) });
      await ch.client.command({
        query: `INSERT INTO journeys.${table} SELECT * FROM file({path:String}, 'CSVWithNames', {structure:String})`,
        query_params: { path: join(work, JOURNEYS_FILES[table]), structure: expectedStructure(table) },
      });
      expect(await count(`SELECT count() AS n FROM journeys.${table}`, {}), table).toBe(rows[table]);
    }
    // Status labels agree with the numbers in SQL too.
    expect(
      await count(
        "SELECT count() AS n FROM journeys.expected_engagement WHERE (done = total) != startsWith(status, 'All') OR (done = 0) != startsWith(status, 'No')",
        {},
      ),
    ).toBe(0);
  }, 120_000);

  it.each(Object.keys(FILE_STRUCTURES) as Array<keyof typeof FILE_STRUCTURES>)(
    '%s reads with the documented structure',
    async (file) => {
      const n = await count("SELECT count() AS n FROM file({path:String}, 'CSV', {structure:String})", {
        path: join(work, JOURNEYS_FILES[file]),
        structure: FILE_STRUCTURES[file],
      });
      expect(n).toBe(rows[file]);
    },
    120_000,
  );

  it('every statement parses as JSON with its id and timestamp matching the columns', async () => {
    const bad = await count(
      `SELECT count() AS n FROM file({path:String}, 'CSV', {structure:String})
       WHERE JSONExtractString(event, 'id') != toString(event_id)
          OR parseDateTime64BestEffort(JSONExtractString(event, 'timestamp'), 6, 'UTC') != emission_time`,
      { path: join(work, JOURNEYS_FILES.xapi), structure: FILE_STRUCTURES.xapi },
    );
    expect(bad).toBe(0);
  }, 120_000);
});
