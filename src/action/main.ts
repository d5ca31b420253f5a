/**
 * The Action's main step: dataset from the cache (or generated, then staged for the `post`
 * step to save), loaded into ClickHouse, report and perf checks, job summary, outputs; the step
 * fails on a regression.
 */

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedDataset } from '../cache/cached-dataset.ts';
import { LocalDatasetCache } from '../cache/dataset-cache.ts';
import { CLICKHOUSE_IMAGE, type ClickHouse, createClickHouse } from '../clickhouse/connect.ts';
import { schemaNamesFromConfig } from '../clickhouse/schema.ts';
import { datasetHash, loadConfig } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { describeError } from '../errors.ts';
import { countsByTableName } from '../load/verify.ts';
import { loadReports } from '../reports/catalog.ts';
import { type ReportCheckResult, runReportCheck } from '../reports/check.ts';
import { loadDatasetDir } from '../reports/load-dataset.ts';
import { writePerf } from '../reports/perf.ts';
import { referenceTimeFromConfig } from '../reports/run.ts';
import { type ActionsCacheApi, ActionsDatasetCache } from './cache.ts';
import { resolveChdb } from './chdb.ts';
import { type ActionConfig, readActionConfig } from './config.ts';
import { Outputs, State } from './constants.ts';
import { removeContainer, startClickHouseContainer } from './container.ts';

/** The part of `@actions/core` the Action uses; tests pass the real module too. */
export interface CoreApi {
  getInput(name: string): string;
  setOutput(name: string, value: unknown): void;
  saveState(name: string, value: unknown): void;
  getState(name: string): string;
  info(message: string): void;
  warning(message: string): void;
  setFailed(message: string): void;
  setSecret(secret: string): void;
  readonly summary: { addRaw(text: string, addEOL?: boolean): { write(): Promise<unknown> } };
}

export interface RunDependencies {
  readonly core: CoreApi;
  readonly cache: ActionsCacheApi;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The directory holding `action.yml` (the repository root in a checkout of the Action). */
export function actionRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'action.yml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return dirname(from);
    dir = parent;
  }
}

async function loadDatasetConfig(
  action: ActionConfig,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
): Promise<Config> {
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const path = action.configPath
    ? resolve(workspace, action.configPath)
    : join(actionRoot(), 'configs', 'presets', `${action.preset}.yaml`);
  log(`Dataset config: ${path}`);
  return loadConfig(path, {
    env,
    warn: log,
    ...(action.aspectsVersion ? { overrides: { aspects_version: action.aspectsVersion } } : {}),
  });
}

/**
 * Runs the main step. Never throws: failures end in `core.setFailed`.
 *
 * @example
 * import * as core from '@actions/core';
 * import * as cache from '@actions/cache';
 * await run({ core, cache });
 */
export async function run(deps: RunDependencies): Promise<void> {
  const { core } = deps;
  const env = deps.env ?? process.env;
  try {
    const action = readActionConfig((name) => core.getInput(name));
    const result = await runSteps(deps, action, env);
    if (result && result.status === 'regression') {
      const parts: string[] = [];
      if (result.reportRegressions.length > 0) parts.push(`reports changed: ${result.reportRegressions.join(', ')}`);
      if (result.perfRegressions.length > 0) parts.push(`reports slower: ${result.perfRegressions.join(', ')}`);
      const message = `Aspects report regression (${parts.join('; ')}); see the job summary`;
      if (action.failOnRegression) core.setFailed(message);
      else core.warning(message);
    }
  } catch (error) {
    core.setFailed(describeError(error));
  }
}

async function runSteps(
  deps: RunDependencies,
  action: ActionConfig,
  env: NodeJS.ProcessEnv,
): Promise<ReportCheckResult | null> {
  const { core } = deps;
  const log = (line: string) => core.info(line);
  if (action.clickhousePassword !== '') core.setSecret(action.clickhousePassword);
  const tempDir = env.RUNNER_TEMP ?? tmpdir();
  const outputDir = resolve(env.GITHUB_WORKSPACE ?? process.cwd(), action.outputDir ?? join(tempDir, 'xapi-db-load'));
  const config = await loadDatasetConfig(action, env, log);
  const hash = datasetHash(config);
  core.setOutput(Outputs.DatasetHash, hash.hex);
  log(`Dataset hash ${hash.hex}`);

  const remote = action.cache ? new ActionsDatasetCache(deps.cache, tempDir, { log }) : undefined;
  const local = new LocalDatasetCache({ dir: join(tempDir, 'xapi-db-load-cache'), env: {}, log });
  const dataset = await cachedDataset(config, { cache: local, ...(remote ? { remote } : {}), log });
  const hit = dataset.source !== 'generated';
  core.setOutput(Outputs.CacheHit, String(hit));
  log(`Dataset ${hit ? `restored (${dataset.source})` : 'generated'}: ${dataset.entry.dir}`);
  if (remote?.pending) {
    core.saveState(State.CacheKey, remote.pending.key);
    core.saveState(State.CachePath, remote.pending.path);
    core.saveState(State.CacheSave, 'true');
  }
  if (action.backend === 'csv') {
    // Table names, as after a load: one spelling of the output whatever the backend.
    core.setOutput(Outputs.Counts, JSON.stringify(countsByTableName(dataset.rows)));
    core.setOutput(Outputs.ReportStatus, 'skipped');
    return null;
  }

  const names = schemaNamesFromConfig(config, config.dbReportingName);
  let ch: ClickHouse | undefined;
  let containerId: string | null = null;
  try {
    if (action.target === 'embedded') {
      const chdbModule = await resolveChdb({
        searchDirs: [actionRoot(), env.GITHUB_WORKSPACE ?? process.cwd()],
        installDir: env.RUNNER_TOOL_CACHE ?? tempDir,
        log,
      });
      ch = await createClickHouse({ kind: 'embedded' }, { chdbModule });
    } else if (action.target === 'url') {
      ch = await createClickHouse({
        kind: 'url',
        host: action.clickhouseUrl as string,
        port: portOf(action.clickhouseUrl as string),
        username: action.clickhouseUser,
        password: action.clickhousePassword,
        database: config.dbName,
      });
    } else {
      const started = await startClickHouseContainer(action.containerImage ?? CLICKHOUSE_IMAGE, {
        log,
        username: action.clickhouseUser,
        password: action.clickhousePassword,
      });
      ch = started.ch;
      containerId = started.container.id;
      core.saveState(State.ContainerId, containerId);
      core.setSecret(started.container.password);
      if (action.keepContainer) {
        core.setOutput(Outputs.ClickHouseUrl, started.container.url);
        log(
          `ClickHouse stays up for later steps at ${started.container.url} (user ${started.container.username}); ` +
            'the post step removes it',
        );
      }
    }
    log(`Loading the dataset into ${ch.description}`);
    const counts = await loadDatasetDir(ch, dataset.entry.dir, config, { names, log });
    core.setOutput(Outputs.Counts, JSON.stringify(counts));
    const reports = await loadReports({
      ...(action.reportsDir ? { dirs: [resolve(env.GITHUB_WORKSPACE ?? process.cwd(), action.reportsDir)] } : {}),
      only: action.reports,
    });
    const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
    const snapshotPath = join(outputDir, 'snapshot.json');
    const summaryPath = join(outputDir, 'summary.md');
    const perfPath = join(outputDir, 'perf.json');
    const result = await runReportCheck(ch, {
      reports,
      names,
      now: referenceTimeFromConfig(config),
      org: action.org,
      courseKey: action.course,
      datasetHash: hash.short,
      counts,
      baselinePath: action.baselinePath ? resolve(workspace, action.baselinePath) : null,
      updateBaseline: action.updateBaseline,
      partial: action.reports.length > 0,
      snapshotPath,
      summaryPath,
      perf: action.perf
        ? {
            repeats: action.perfRepeats,
            baselinePath: action.perfBaselinePath ? resolve(workspace, action.perfBaselinePath) : perfPath,
            thresholds: { threshold: action.perfThreshold, minDiffMs: action.perfMinDiffMs },
          }
        : null,
      log,
    });
    // The current timings, whatever the baseline: upload it as an artifact to adopt it.
    if (result.perf && action.perfBaselinePath) await writePerf(perfPath, result.perf);
    for (const line of result.text.split('\n')) if (line !== '') log(line);
    await core.summary.addRaw(result.markdown, true).write();
    core.setOutput(Outputs.ReportStatus, result.status);
    core.setOutput(Outputs.Regressions, [...result.reportRegressions, ...result.perfRegressions].join(','));
    core.setOutput(Outputs.SnapshotPath, snapshotPath);
    core.setOutput(Outputs.SummaryPath, summaryPath);
    core.setOutput(Outputs.PerfPath, result.perf ? perfPath : '');
    return result;
  } finally {
    if (ch) {
      try {
        await ch.close();
      } catch (error) {
        core.warning(`Could not close ClickHouse: ${describeError(error)}`);
      }
    }
    if (containerId !== null && !action.keepContainer) {
      try {
        await removeContainer(containerId);
        core.saveState(State.ContainerId, '');
      } catch (error) {
        core.warning(`Could not remove container ${containerId}; the post step retries: ${describeError(error)}`);
      }
    }
  }
}

/** The port of an http(s) URL; `null` = ClickHouse's default for the scheme. */
function portOf(url: string): number | null {
  const port = new URL(url).port;
  return port === '' ? null : Number(port);
}
