/**
 * A small "default-like" dataset for report tests: the packaged default config with fewer
 * statements, generated once per test file into a temporary directory.
 */

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG_PATH } from '../../src/cli/options.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Config } from '../../src/config/types.ts';
import { generateDatasetDir } from '../../src/reports/load-dataset.ts';

/** The default config, scaled down: 3 × 200 statements, one worker. */
export async function smallDefaultConfig(): Promise<Config> {
  const config = await loadConfig(DEFAULT_CONFIG_PATH, { env: {}, warn: () => {} });
  return Object.freeze({ ...config, numXapiBatches: 3, batchSize: 200, numWorkers: 1 });
}

export async function generateTempDataset(config: Config): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xapi-db-load-report-'));
  await generateDatasetDir(config, dir);
  return dir;
}
