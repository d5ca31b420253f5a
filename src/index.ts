/**
 * xapi-db-load: generate realistic, reproducible Open edX Aspects datasets and load them.
 *
 * @example
 * import { loadConfig, runLoadDb, formatSummary } from 'xapi-db-load';
 * const config = await loadConfig('configs/default_config.yaml');
 * const result = await runLoadDb(config);
 * console.log(formatSummary(result));
 */

export type { Sink, SinkSummary } from './backends/index.ts';
export { createSink } from './backends/index.ts';
export {
  type Backend,
  type Config,
  type CourseMakeup,
  type CourseSizeCount,
  DATA_FORMAT_VERSION,
  type DatasetHash,
  datasetHash,
  KEY_DOCS,
  loadConfig,
  resolveConfig,
} from './config/index.ts';
export {
  ConfigError,
  type ConfigProblem,
  PerfRegressionError,
  ReportMismatchError,
  SinkError,
  VerificationError,
  XapiDbLoadError,
} from './errors.ts';
export { TABLE_KEYS, TABLES, type TableKey, type TableLayout } from './formats/tables.ts';
export { type DatasetPlan, planDataset } from './generate/dataset.ts';
export { EVENT_TYPES, EVENT_WEIGHTS, type EventType } from './generate/event-types.ts';
export { buildWorld, type Course, type World } from './generate/world.ts';
export { enrollmentBatch, type GeneratedStatement, randomBatch } from './generate/xapi-batches.ts';
export { type RunOptions, type RunResult, runLoadDb } from './run/runner.ts';
export { formatSummary } from './run/summary.ts';
