/**
 * Bench child for the ClickHouse section, one fresh process (and chdb data directory) per
 * measurement, running the built library (lib/). Prints one JSON line.
 *
 *   clickhouse-child.ts load  <config json>
 *     the clickhouse backend end to end (generate + load, MVs on) after the schema exists;
 *     then OPTIMIZE … FINAL, timed on its own
 *   clickhouse-child.ts limit <config json> <dataset dir> <plain xapi csv>
 *     the engine alone: schema, event-sink files loaded and dictionaries reloaded untimed, then
 *     `INSERT INTO raw SELECT * FROM file(<plain xapi csv>)` timed, same settings as the backend
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as SinkModule from '../src/backends/clickhouse.ts';
import type * as BulkModule from '../src/clickhouse/bulk.ts';
import type * as ConnectModule from '../src/clickhouse/connect.ts';
import type * as SchemaModule from '../src/clickhouse/schema.ts';
import type * as ConfigModule from '../src/config/index.ts';
import type * as TablesModule from '../src/formats/tables.ts';
import type * as RunnerModule from '../src/run/runner.ts';

const lib = (path: string) => new URL(`../lib/${path}`, import.meta.url).href;
const { resolveConfig }: typeof ConfigModule = await import(lib('config/index.js'));
const { runLoadDb }: typeof RunnerModule = await import(lib('run/runner.js'));
const { createClickHouseSink }: typeof SinkModule = await import(lib('backends/clickhouse.js'));
const { createClickHouse }: typeof ConnectModule = await import(lib('clickhouse/connect.js'));
const { BULK_INSERT_SETTINGS, csvStructure, insertColumns, qualifiedTable, resolveTarget }: typeof BulkModule =
  await import(lib('clickhouse/bulk.js'));
const { initSchema, optimizeFinal, reloadDictionaries, schemaNamesFromConfig }: typeof SchemaModule = await import(
  lib('clickhouse/schema.js')
);
const { TABLE_KEYS, TABLES }: typeof TablesModule = await import(lib('formats/tables.js'));

const [mode, rawConfigJson, datasetDir, plainXapi] = process.argv.slice(2);
const config = resolveConfig(JSON.parse(rawConfigJson as string), { source: 'bench' });
const names = schemaNamesFromConfig(config, config.dbReportingName);
const ch = await createClickHouse(resolveTarget(config));
await initSchema(ch, names);

function peakRssBytes(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.memoryUsage.rss();
}

if (mode === 'load') {
  const sink = createClickHouseSink(config, { clickhouse: ch });
  await sink.preflight(); // schema check and counts, outside the timed run (the limit has its schema too)
  const started = performance.now();
  const result = await runLoadDb(config, { sink: { ...sink, preflight: async () => {} } });
  const loadSeconds = (performance.now() - started) / 1000;
  const optimizeStarted = performance.now();
  await optimizeFinal(ch, names);
  const optimizeSeconds = (performance.now() - optimizeStarted) / 1000;
  process.stdout.write(
    `${JSON.stringify({ statements: result.statements, loadSeconds, optimizeSeconds, maxRssBytes: peakRssBytes() })}\n`,
  );
} else if (mode === 'limit') {
  for (const key of TABLE_KEYS) {
    if (key === 'xapi') continue;
    await ch.client.command({
      query: `INSERT INTO ${qualifiedTable(names, key)} (${insertColumns(key).join(', ')}) SELECT * FROM file({path:String}, 'CSV', {structure:String})`,
      query_params: { path: join(datasetDir as string, TABLES[key].csvFile), structure: csvStructure(key) },
      clickhouse_settings: BULK_INSERT_SETTINGS,
    });
  }
  await reloadDictionaries(ch, names);
  const started = performance.now();
  await ch.client.command({
    query: `INSERT INTO ${qualifiedTable(names, 'xapi')} (${insertColumns('xapi').join(', ')}) SELECT * FROM file({path:String}, 'CSV', {structure:String})`,
    query_params: { path: plainXapi as string, structure: csvStructure('xapi') },
    clickhouse_settings: BULK_INSERT_SETTINGS,
  });
  const seconds = (performance.now() - started) / 1000;
  const rs = await ch.client.query({
    query: `SELECT count() AS n FROM ${qualifiedTable(names, 'xapi')}`,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: string }>();
  process.stdout.write(`${JSON.stringify({ statements: Number(row?.n), seconds, maxRssBytes: peakRssBytes() })}\n`);
} else {
  throw new Error(`clickhouse-child: unknown mode ${JSON.stringify(mode)}`);
}
await ch.close();
