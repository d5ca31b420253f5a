/**
 * The committed report baselines of the `tiny` preset, one per aspects_version
 * (fixtures/report-baselines/tiny-v<version>.json): the regression check this project runs on itself. A change to the generator, the schema SQL or the
 * report queries that changes what a report says fails here, naming the report and its first
 * differing rows. When the change is intended, re-record the baseline (command below) and review
 * its diff.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { ASPECTS_VERSIONS } from '../src/clickhouse/aspects-version.ts';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { dropSchema, type SchemaNames } from '../src/clickhouse/schema.ts';
import { datasetHash, loadConfig } from '../src/config/index.ts';
import { loadReports } from '../src/reports/catalog.ts';
import { runReportCheck } from '../src/reports/check.ts';
import { loadDatasetDir } from '../src/reports/load-dataset.ts';
import { referenceTimeFromConfig } from '../src/reports/run.ts';
import { formatComparison, readSnapshot } from '../src/reports/snapshot.ts';
import { generateTempDataset } from './support/report-dataset.ts';

const PRESET = fileURLToPath(new URL('../configs/presets/tiny.yaml', import.meta.url));
const baselineFile = (version: string) => `fixtures/report-baselines/tiny-v${version}.json`;
const rerecord = (version: string) =>
  'node src/cli.ts report --config_file configs/presets/tiny.yaml --db_host embedded ' +
  `--aspects_version ${version} --baseline ${baselineFile(version)} --update-baseline`;

const loaded: SchemaNames[] = [];
let ch: ClickHouse | undefined;
let dir: string | undefined;

afterAll(async () => {
  if (ch) {
    for (const names of loaded) await dropSchema(ch, names);
    await ch.close();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

it.each(ASPECTS_VERSIONS)(
  'the tiny preset still produces the committed report baseline of aspects-dbt v%s',
  async (version) => {
    const BASELINE = fileURLToPath(new URL(`../${baselineFile(version)}`, import.meta.url));
    const RERECORD = rerecord(version);
    const config = await loadConfig(PRESET, { env: {}, warn: () => {} });
    const baseline = await readSnapshot(BASELINE);
    const hash = datasetHash(config).short;
    expect(baseline?.datasetHash, `the tiny dataset changed (new hash ${hash}); re-record: ${RERECORD}`).toBe(hash);
    expect(baseline?.aspectsDbt).toBe(`v${version}`);
    dir ??= await generateTempDataset(config);
    ch ??= await createClickHouse({ kind: 'embedded' });
    const suffix = randomBytes(4).toString('hex');
    const names: SchemaNames = {
      xapiDb: `xapi_${suffix}`,
      eventSinkDb: `event_sink_${suffix}`,
      reportingDb: `reporting_${suffix}`,
      rawTable: 'xapi_events_all',
      aspectsVersion: version,
    };
    loaded.push(names);
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
  },
);
