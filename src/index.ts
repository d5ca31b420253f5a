/**
 * xapi-db-load: generate realistic, reproducible Open edX Aspects datasets and load them.
 *
 * @example
 * import { loadConfig, runLoadDb, formatSummary } from 'xapi-db-load';
 * const config = await loadConfig('configs/default_config.yaml');
 * const result = await runLoadDb(config);
 * console.log(formatSummary(result));
 */

export {
  type ClickHouseSinkOptions,
  createClickHouseSink,
  type InsertPath,
} from './backends/clickhouse.ts';
export type { Sink, SinkSummary } from './backends/index.ts';
export { createSink } from './backends/index.ts';
export type { ClickHouseLoadSummary } from './backends/sink.ts';
export {
  type CachedDataset,
  type CacheEntry,
  type CacheManifest,
  cachedDataset,
  type DatasetCacheStore,
  type DatasetGenerator,
  LocalDatasetCache,
  type LocalDatasetCacheOptions,
  resolveCacheDir,
} from './cache/index.ts';
export {
  ASPECTS_VERSIONS,
  type AspectsVersion,
  aspectsModels,
  DEFAULT_ASPECTS_VERSION,
  isAspectsVersion,
} from './clickhouse/aspects-version.ts';
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
export {
  compareCounts,
  countLoadedTables,
  formatVerification,
  type TableCountsByKey,
  type TableVerification,
  type VerificationReport,
  type VerifyOptions,
  verificationError,
  verifyLoad,
} from './load/verify.ts';
export { type RunOptions, type RunResult, runLoadDb } from './run/runner.ts';
export { formatSummary } from './run/summary.ts';
export {
  type AspectsConnection,
  type AspectsDatabases,
  AspectsStack,
  type EmbeddedConnection,
  PRESETS,
  type PresetName,
  type ProviderName,
  type SeedAspectsOptions,
  type SeedConfigInput,
  type SeededAspects,
  type ServerConnection,
  StartedAspectsStack,
  seedAspects,
} from './testing/index.ts';
