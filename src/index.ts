/**
 * xapi-db-load: generate realistic, reproducible Open edX Aspects datasets and load them into
 * ClickHouse. This file is the library's whole public surface, by decision:
 * test/public-api.test.ts snapshots the list, so adding or removing a name shows in review.
 *
 * @example
 * import { loadConfig, runLoadDb, formatSummary } from 'xapi-db-load';
 * const config = await loadConfig('configs/default_config.yaml');
 * const result = await runLoadDb(config);
 * console.log(formatSummary(result));
 *
 * @packageDocumentation
 */

// Generate and write in one run, through a sink per backend.
export { type ClickHouseSinkOptions, createClickHouseSink } from './backends/clickhouse.ts';
export { type CreateSinkOptions, createSink } from './backends/index.ts';
export type { ClickHouseLoadSummary, Sink, SinkSummary } from './backends/sink.ts';
// The dataset cache, keyed by the dataset hash.
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
// ClickHouse: connect to a target (embedded, url, container) and manage the Aspects schema.
export {
  ASPECTS_VERSIONS,
  type AspectsVersion,
  aspectsModels,
  DEFAULT_ASPECTS_VERSION,
  isAspectsVersion,
} from './clickhouse/aspects-version.ts';
export {
  CLICKHOUSE_IMAGE,
  type ClickHouse,
  type ClickHouseTarget,
  type CreateClickHouseOptions,
  createClickHouse,
  describeTarget,
  targetFromConfig,
} from './clickhouse/connect.ts';
export { countRows, type TableCounts } from './clickhouse/counts.ts';
export {
  ASPECTS_DBT_VERSION,
  aspectsDbtTag,
  DEFAULT_SCHEMA_NAMES,
  dropSchema,
  initSchema,
  renderSchema,
  type SchemaNames,
  schemaNamesFromConfig,
} from './clickhouse/schema.ts';
// Configuration: read a YAML file (or a plain object), apply env overrides and legacy aliases,
// validate every key; the dataset hash names a generated dataset.
export {
  BACKENDS,
  type Backend,
  type Config,
  type ConfigOptions,
  type CourseMakeup,
  type CourseSizeCount,
  DATA_FORMAT_VERSION,
  type DatasetHash,
  datasetHash,
  KEY_DOCS,
  type KeyDoc,
  loadConfig,
  type ResolveOptions,
  resolveConfig,
} from './config/index.ts';
// Errors: one family; `exitCode` is what the command line exits with.
export {
  ConfigError,
  type ConfigProblem,
  ConnectionError,
  ContainerUnavailableError,
  describeError,
  InterruptedError,
  LedgerStateError,
  MissingFilesError,
  PerfRegressionError,
  ReportMismatchError,
  SchemaStatementError,
  SinkError,
  VerificationError,
  type WrittenCounts,
  XapiDbLoadError,
} from './errors.ts';
// The dataset: its tables, its plan, and the statements of one batch (no ClickHouse needed).
export { TABLE_KEYS, TABLES, type TableKey, type TableLayout } from './formats/tables.ts';
export { type DatasetPlan, planDataset } from './generate/dataset.ts';
export { EVENT_TYPES, EVENT_WEIGHTS, type EventType } from './generate/event-types.ts';
export { buildWorld, type Course, type World } from './generate/world.ts';
export { enrollmentBatch, type GeneratedStatement, randomBatch } from './generate/xapi-batches.ts';
export { csvSourceFromConfig, formatBulkLoadSummary, runCsvBulkLoad } from './load/csv.ts';
// The load stage: every entry point loads through loadDataset, which verifies and records it.
export { type DatasetInput, type LoadResult, type LoadTarget, loadDataset } from './load/index.ts';
export {
  type JourneysInput,
  type JourneysLoadOptions,
  type JourneysLoadResult,
  loadJourneys,
  readJourneysInput,
} from './load/journeys.ts';
export { formatNativeLoadSummary, runNativeLoad } from './load/native.ts';
export { type TableVerification, type VerificationReport, type VerifyOptions, verifyLoad } from './load/verify.ts';
export { loadReports, type ReportDefinition } from './reports/catalog.ts';

// Report checks: run the Aspects report suite, compare with a baseline, time it.
export {
  assertNoRegression,
  type ReportCheckOptions,
  type ReportCheckResult,
  runReportCheck,
} from './reports/check.ts';
// Known answers: every chart bar of the journeys dataset against its expected value.
export {
  type BarDifference,
  type ChartCourseResult,
  type ChartQuery,
  type CheckKnownAnswersOptions,
  checkKnownAnswers,
  formatKnownAnswers,
  KNOWN_ANSWER_CHARTS,
  type KnownAnswerChart,
  type KnownAnswersResult,
  knownAnswerQueries,
  knownAnswersMarkdown,
} from './reports/known-answers.ts';
export { generateDatasetDir, loadDatasetDir } from './reports/load-dataset.ts';
export { comparePerf, measurePerf, type PerfComparison, type PerfRun, readPerf, writePerf } from './reports/perf.ts';
// Plan profiles: granules, rows and pruning per table read (the perf guards' evidence).
export {
  type IndexUse,
  PRUNING_KEYS,
  type ProfileOptions,
  profileQuery,
  type QueryLogStats,
  type QueryProfile,
  type TableRead,
} from './reports/profile.ts';
export { type ReportResult, runReport } from './reports/run.ts';
export { compareSnapshots, readSnapshot, type Snapshot, writeSnapshot } from './reports/snapshot.ts';
export { type RunOptions, type RunResult, runLoadDb } from './run/runner.ts';
export { formatSummary } from './run/summary.ts';

// Test-framework integration (the vitest and jest entry points are subpaths of the package).
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
