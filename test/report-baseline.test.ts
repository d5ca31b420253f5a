/**
 * The committed report baseline of the `tiny` preset (fixtures/report-baselines/tiny.json): the
 * regression check this project runs on itself. A change to the generator, the schema SQL or the
 * report queries that changes what a report says fails here, naming the report and its first
 * differing rows. When the change is intended, re-record the baseline (command below) and review
 * its diff.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { dropSchema, type SchemaNames } from '../src/clickhouse/schema.ts';
import { datasetHash, loadConfig } from '../src/config/index.ts';
import { loadReports } from '../src/reports/catalog.ts';
import { runReportCheck } from '../src/reports/check.ts';
import { loadDatasetDir } from '../src/reports/load-dataset.ts';
import { referenceTimeFromConfig } from '../src/reports/run.ts';
import { formatComparison, readSnapshot } from '../src/reports/snapshot.ts';
import { generateTempDataset } from './support/report-dataset.ts';

const BASELINE = fileURLToPath(new URL('../fixtures/report-baselines/tiny.json', import.meta.url));
const PRESET = fileURLToPath(new URL('../configs/presets/tiny.yaml', import.meta.url));
const RERECORD =
  'node src/cli.ts report --config_file configs/presets/tiny.yaml --db_host embedded ' +
  '--baseline fixtures/report-baselines/tiny.json --update-baseline';

const suffix = randomBytes(4).toString('hex');
const names: SchemaNames = {
  xapiDb: `xapi_${suffix}`,
  eventSinkDb: `event_sink_${suffix}`,
  reportingDb: `reporting_${suffix}`,
  rawTable: 'xapi_events_all',
};
let ch: ClickHouse | undefined;
let dir: string | undefined;

afterAll(async () => {
  if (ch) {
    await dropSchema(ch, names);
    await ch.close();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('the tiny preset still produces the committed report baseline', async () => {
  const config = await loadConfig(PRESET, { env: {}, warn: () => {} });
  const baseline = await readSnapshot(BASELINE);
  const hash = datasetHash(config).short;
  expect(baseline?.datasetHash, `the tiny dataset changed (new hash ${hash}); re-record: ${RERECORD}`).toBe(hash);
  dir = await generateTempDataset(config);
  ch = await createClickHouse({ kind: 'embedded' });
  await loadDatasetDir(ch, dir, config, { names });
  const result = await runReportCheck(ch, {
    reports: await loadReports(),
    names,
    now: referenceTimeFromConfig(config),
    datasetHash: hash,
    baselinePath: BASELINE,
  });
  const details = result.comparison ? formatComparison(result.comparison) : '';
  expect(result.reportRegressions, `${details}\nIf intended, re-record: ${RERECORD}`).toEqual([]);
  expect(result.status).toBe('pass');
});
