/**
 * `copyLoadedSchema`: the server path of per-test-file copies (schema under new names, parts
 * attached with ATTACH PARTITION … FROM, no materialized view re-run), exercised on the embedded
 * engine, whose SQL is the server's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_SCHEMA_NAMES, type SchemaNames } from '../src/clickhouse/schema.ts';
import { copyLoadedSchema } from '../src/load/template-copy.ts';
import { type SeededAspects, seedAspects } from '../src/testing/index.ts';
import { tableFingerprints } from './support/fingerprint.ts';

let cacheDir: string;
let template: SeededAspects;

function suffixed(suffix: string): SchemaNames {
  return {
    ...DEFAULT_SCHEMA_NAMES,
    xapiDb: `${DEFAULT_SCHEMA_NAMES.xapiDb}_${suffix}`,
    eventSinkDb: `${DEFAULT_SCHEMA_NAMES.eventSinkDb}_${suffix}`,
    reportingDb: `${DEFAULT_SCHEMA_NAMES.reportingDb}_${suffix}`,
  };
}

const databases = (n: SchemaNames) => [n.xapiDb, n.eventSinkDb, n.reportingDb];

/** Fingerprints keyed by table name without the database suffix. */
async function rows(n: SchemaNames) {
  const fp = await tableFingerprints(template.client, databases(n));
  const strip = (key: string) =>
    key.replace(n.xapiDb, 'xapi').replace(n.eventSinkDb, 'event_sink').replace(n.reportingDb, 'reporting');
  return Object.fromEntries(Object.entries(fp).map(([k, v]) => [strip(k), v]));
}

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'xapi-db-load-template-copy-'));
  template = await seedAspects('tiny', {
    provider: 'embedded',
    cache: { dir: cacheDir, env: {} },
    snapshot: false,
    databaseSuffix: 'tpl',
    log: () => {},
  });
}, 300_000);
afterAll(async () => {
  await template?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

it('copies a loaded schema by attaching partitions: same rows, MVs not re-run, copies independent', {
  timeout: 300_000,
}, async () => {
  const from = suffixed('tpl');
  const before = await rows(from);
  const a = suffixed('copy_a');
  const b = suffixed('copy_b');
  const started = performance.now();
  const copied = await copyLoadedSchema(template.clickhouse, from, a, template.counts);
  const copyMs = performance.now() - started;
  await copyLoadedSchema(template.clickhouse, from, b, template.counts);
  expect(copied.counts).toEqual(template.counts);
  // Every MergeTree table of the default (v8.0.0) schema and the load ledger.
  expect(Object.keys(copied.partitions)).toHaveLength(34);
  // Same rows in every table, MV targets included: had the MVs fired, their targets would double.
  expect(await rows(a)).toEqual(before);
  expect(await rows(b)).toEqual(before);
  // The dictionaries of the copy answer from the copy.
  const names = await template.client.query({
    query: `SELECT count() AS n FROM ${a.reportingDb}.dim_course_blocks`,
    format: 'JSONEachRow',
  });
  expect(Number((await names.json<{ n: string }>())[0]?.n)).toBeGreaterThan(0);

  await template.client.command({
    query: `INSERT INTO ${a.xapiDb}.${a.rawTable} SELECT generateUUIDv4(), emission_time, event FROM ${a.xapiDb}.${a.rawTable} LIMIT 50`,
  });
  await template.client.command({
    query: `ALTER TABLE ${a.eventSinkDb}.course_blocks DELETE WHERE 1`,
    clickhouse_settings: { mutations_sync: '2' },
  });
  const after = await rows(a);
  expect(after[`xapi.${a.rawTable}`]?.rows).toBe(String(template.counts.xapi_events_all + 50));
  expect(after['event_sink.course_blocks']?.rows).toBe('0');
  expect(await rows(from)).toEqual(before);
  expect(await rows(b)).toEqual(before);
  console.log(
    `copyLoadedSchema (tiny, embedded): ${Math.round(copyMs)} ms; loading the same dataset: ${Math.round(template.timings.loadMs)} ms`,
  );
});
