/**
 * The project's SQL on ClickHouse 25.8, the version Aspects deploys (the rest of the suite runs
 * the newer engine of the npm chdb): every schema statement, the load of the tiny dataset and
 * every report, through the chdb 3.7.2 Python wheel (engine 25.8.2.1), once per aspects_version.
 * The reports must give that version's committed baseline, i.e. the same answers as the npm engine. `.ci/run` installs the wheel;
 * without it the test is skipped with one line.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseSettings } from '@clickhouse/client';
import { afterAll, describe, expect, it } from 'vitest';
import { ASPECTS_VERSIONS, aspectsModels } from '../src/clickhouse/aspects-version.ts';
import { BASE_SETTINGS } from '../src/clickhouse/connect.ts';
import {
  optimizeStatements,
  reloadDictionaryStatements,
  renderSchema,
  schemaNamesFromConfig,
} from '../src/clickhouse/schema.ts';
import { datasetHash, loadConfig } from '../src/config/index.ts';
import { renderCsvLoadStatements } from '../src/load/csv.ts';
import { loadReports, renderReportSql, reportsForVersion } from '../src/reports/catalog.ts';
import { REPORT_SETTINGS, reportQueryParams, reportResultFromJsonCompact } from '../src/reports/run.ts';
import { buildSnapshot, compareSnapshots, formatComparison, readSnapshot } from '../src/reports/snapshot.ts';
import { chdb25Installed, chdb25SkipReason, runOn258, type Step } from './support/chdb25.ts';
import { generateTempDataset } from './support/report-dataset.ts';

const baselineOf = (version: string) =>
  fileURLToPath(new URL(`../fixtures/report-baselines/tiny-v${version}.json`, import.meta.url));
const PRESET = fileURLToPath(new URL('../configs/presets/tiny.yaml', import.meta.url));
const scratch: string[] = [];
/** The models the dashboards read that no report of the suite reads yet. */
const DASHBOARD_MODELS = [
  'fact_navigation_completion',
  'fact_pageview_engagement',
  'fact_problem_engagement',
  'fact_video_engagement',
  'dim_problem_coursewide_avg',
  'dim_problem_results',
  'dim_problem_responses',
  'dim_subsection_problem_results',
  'dim_subsection_performance',
];

/** One thread end to end: the same insert blocks, hence the same MV output, on every run. */
const ONE_THREAD: ClickHouseSettings = { max_threads: 1, max_insert_threads: '1', input_format_parallel_parsing: 0 };

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

if (!chdb25Installed) console.warn(`skipped: ${chdb25SkipReason}`);

describe.skipIf(!chdb25Installed)('ClickHouse 25.8 (chdb 3.7.2 wheel)', () => {
  it.each(ASPECTS_VERSIONS)(
    'runs every schema statement of v%s, loads the tiny dataset and gives its report baseline',
    async (version) => {
      const BASELINE = baselineOf(version);
      const config = await loadConfig(PRESET, { env: {}, warn: () => {} });
      const names = { ...schemaNamesFromConfig(config, config.dbReportingName), aspectsVersion: version };
      const dashboardModels = DASHBOARD_MODELS.filter((model) => aspectsModels(version).has(model));
      const dir = await generateTempDataset(config);
      const session = await mkdtemp(join(tmpdir(), 'xapi-db-load-ch258-'));
      scratch.push(dir, session);
      const baseline = await readSnapshot(BASELINE);
      if (!baseline) throw new Error(`missing ${BASELINE}`);
      const { runnable: reports } = reportsForVersion(await loadReports(), version);

      const schema: Step[] = renderSchema(names).map((s) => ({ sql: s.sql }));
      // The load stage's own statements for a local directory (what the embedded engine runs).
      const inserts: Step[] = renderCsvLoadStatements(
        { kind: 'local', directory: dir, from: 'dataset directory' },
        names,
        { credentials: null, cluster: null, chronological: true },
      ).map((s) => ({ sql: s.query, params: s.params, settings: ONE_THREAD }));
      const load: Step[] = [
        ...inserts.slice(0, -1),
        ...reloadDictionaryStatements(names).map((sql) => ({ sql })),
        ...inserts.slice(-1),
        ...optimizeStatements(names).map((sql) => ({ sql })),
      ];
      const queries: Step[] = reports.map((report) => {
        const sql = renderReportSql(report, names);
        return { sql, params: reportQueryParams(sql, baseline.params), settings: REPORT_SETTINGS, fetch: true };
      });
      // Every client the project creates sends BASE_SETTINGS; so does this session, first.
      const sessionSettings: Step = { sql: 'SELECT 1', settings: BASE_SETTINGS };
      const models: Step[] = dashboardModels.map((model) => ({
        sql: `SELECT count() AS n FROM ${names.reportingDb}.${model}`,
        fetch: true,
      }));
      const steps = [sessionSettings, ...schema, ...load, ...queries, ...models];

      const { engine, results } = await runOn258(session, steps);
      expect(engine).toMatch(/^25\.8\./);
      const failed = results.findIndex((r) => !r.ok);
      if (failed !== -1) {
        const result = results[failed];
        throw new Error(
          `step ${failed + 1} of ${steps.length} failed on ${engine}: ${steps[failed]?.sql.slice(0, 200)}\n${result && !result.ok ? result.error : ''}`,
        );
      }
      expect(results).toHaveLength(steps.length);

      const answers = results.slice(1 + schema.length + load.length, 1 + schema.length + load.length + queries.length);
      const modelCounts = Object.fromEntries(
        results.slice(-models.length).map((r, i) => [dashboardModels[i], r.ok ? Number(r.data?.data[0]?.[0]) : -1]),
      );
      for (const model of dashboardModels) expect(modelCounts[model], model).toBeGreaterThan(0);
      const current = buildSnapshot(
        reports.map((report, i) => {
          const answer = answers[i];
          if (!answer?.ok || !answer.data) throw new Error(`${report.name}: no answer`);
          return { report, result: reportResultFromJsonCompact(report, answer.data) };
        }),
        baseline.params,
        datasetHash(config).short,
        version,
      );
      for (const [name, report] of Object.entries(current.reports)) expect(report.rows.length, name).toBeGreaterThan(0);
      const comparison = compareSnapshots(baseline, current);
      expect(comparison.regressions, formatComparison(comparison)).toEqual([]);
    },
    300_000,
  );
});
