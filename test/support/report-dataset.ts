/**
 * A small "default-like" dataset for report tests: the packaged default config with fewer
 * statements, generated once per test file into a temporary directory.
 */

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.ts';
import type { Config } from '../../src/config/types.ts';
import { generateDatasetDir } from '../../src/reports/load-dataset.ts';

export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../configs/default_config.yaml', import.meta.url));

/** The default config, scaled down: 3 × 200 statements, one worker. */
export async function smallDefaultConfig(): Promise<Config> {
  const config = await loadConfig(DEFAULT_CONFIG_FILE, { env: {}, warn: () => {} });
  return Object.freeze({ ...config, numXapiBatches: 3, batchSize: 200, numWorkers: 1 });
}

export async function generateTempDataset(config: Config): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xapi-db-load-report-'));
  await generateDatasetDir(config, dir);
  return dir;
}
