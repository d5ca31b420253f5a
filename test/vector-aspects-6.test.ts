/**
 * The Vector layout of Aspects 6.1.0 (configs/examples/vector-aspects-6.yaml) end to end on the
 * embedded engine: `load-db` writes the statements as `[xapi_tracking]` log lines and the
 * event-sink tables into ClickHouse; the lines are then shipped the way Aspects' Vector `xapi`
 * transform and `clickhouse_xapi` sink do (regex → statement JSON → event_id, emission_time,
 * event into openedx.xapi_events_all), here by the engine itself reading the log file, since
 * the test machine has no Vector. The aspects-dbt v8.0.0 models then hold the dataset.
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createClickHouse } from '../src/clickhouse/connect.ts';
import { countRows } from '../src/clickhouse/counts.ts';
import { dropSchema, optimizeFinal, schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import { loadConfig } from '../src/config/index.ts';
import { runLoadDb } from '../src/run/runner.ts';

const EXAMPLE = fileURLToPath(new URL('../configs/examples/vector-aspects-6.yaml', import.meta.url));
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/**
 * What Aspects 6.1.0's Vector does with one log line, in ClickHouse SQL: the `xapi` transform's
 * regex takes the JSON after `[xapi_tracking] …`, its `id` becomes event_id and its `timestamp`
 * (ISO 8601) emission_time (the sink sets date_time_best_effort); lines that do not match are
 * dropped (drop_on_abort).
 */
const SHIP_LINES = (table: string) => `
INSERT INTO ${table} (event_id, emission_time, event)
SELECT
  toUUID(JSONExtractString(message, 'id')),
  parseDateTime64BestEffort(JSONExtractString(message, 'timestamp'), 6, 'UTC'),
  message
FROM (
  SELECT extract(line, '^.* \\\\[xapi_tracking\\\\] [^{}]* (\\\\{.*\\\\})$') AS message
  FROM file({path:String}, 'LineAsString', 'line String')
)
WHERE message != ''`;

it('loads the example through the Vector lines into openedx.xapi_events_all and the v8.0.0 models', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'xdl-vector-aspects6-'));
  dirs.push(dir);
  const log = join(dir, 'xapi_tracking.log');
  // The example as shipped, but on the embedded engine and with the log in the scratch directory.
  const config = await loadConfig(EXAMPLE, {
    env: {},
    warn: () => {},
    overrides: { db_host: 'embedded', db_port: null, vector_output: log },
  });
  expect(config).toMatchObject({
    backend: 'vector',
    dbName: 'openedx',
    dbEventSinkName: 'event_sink',
    dbReportingName: 'reporting',
    eventRawTableName: 'xapi_events_all',
    aspectsVersion: '8.0.0',
    ttl: 'toDateTime(emission_time) + INTERVAL 1 YEAR',
  });
  const names = schemaNamesFromConfig(config, config.dbReportingName);
  await using ch = await createClickHouse({ kind: 'embedded' });
  try {
    const result = await runLoadDb(config);
    const plan = result.plan;
    const lines = (await readFile(log, 'utf8')).trimEnd().split('\n');
    // Every random statement is a line; the initial enrollments went straight to ClickHouse.
    expect(lines).toHaveLength(plan.randomStatements);
    expect((await countRows(ch, names)).xapi_events_all).toBe(plan.enrollmentStatements);

    await ch.client.command({ query: SHIP_LINES(`${names.xapiDb}.${names.rawTable}`), query_params: { path: log } });
    await optimizeFinal(ch, names);

    const counts = await countRows(ch, names);
    expect(counts).toMatchObject({
      xapi_events_all: plan.tables.xapi.rows,
      course_overviews: plan.tables.courseOverviews.rows,
      course_blocks: plan.tables.courseBlocks.rows,
      user_profile: plan.tables.userProfiles.rows,
      external_id: plan.tables.externalIds.rows,
    });
    const count = async (table: string): Promise<number> => {
      const rs = await ch.client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' });
      return Number((await rs.json<{ n: string }>())[0]?.n);
    };
    // Every statement parsed (the TTL kept them all: the window ends at now), and the v8.0.0
    // models Aspects 6.1.0's dashboards read have rows.
    expect(await count(`${names.xapiDb}.xapi_events_all_parsed`)).toBe(plan.tables.xapi.rows);
    for (const model of ['dim_problem_results', 'dim_problem_responses', 'fact_navigation_completion']) {
      expect(await count(`${names.reportingDb}.${model}`), model).toBeGreaterThan(0);
    }
    expect(await count(`${names.xapiDb}.problem_events`)).toBeGreaterThan(0);
    const tables = await ch.client.query({
      query: `SELECT name FROM system.tables WHERE database = {db:String} AND name = 'dim_subsection_performance'`,
      query_params: { db: names.reportingDb },
      format: 'JSONEachRow',
    });
    expect(await tables.json()).toEqual([]);
  } finally {
    await dropSchema(ch, names);
  }
}, 240_000);
