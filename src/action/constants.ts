/**
 * Names of the Action's inputs, outputs and saved state, mirroring `action.yml` (a test checks
 * both lists against it). `as const` objects rather than enums: the project compiles with
 * `erasableSyntaxOnly`.
 */

export const Inputs = {
  Config: 'config',
  Preset: 'preset',
  AspectsVersion: 'aspects-version',
  Backend: 'backend',
  Target: 'target',
  ClickHouseUrl: 'clickhouse-url',
  ClickHouseUser: 'clickhouse-user',
  ClickHousePassword: 'clickhouse-password',
  ContainerImage: 'container-image',
  KeepContainer: 'keep-container',
  Cache: 'cache',
  Baseline: 'baseline',
  UpdateBaseline: 'update-baseline',
  Reports: 'reports',
  ReportsDir: 'reports-dir',
  Org: 'org',
  Course: 'course',
  Perf: 'perf',
  PerfBaseline: 'perf-baseline',
  PerfThreshold: 'perf-threshold',
  PerfMinDiffMs: 'perf-min-diff-ms',
  PerfRepeats: 'perf-repeats',
  OutputDir: 'output-dir',
  FailOnRegression: 'fail-on-regression',
} as const;
export type Input = (typeof Inputs)[keyof typeof Inputs];

export const Outputs = {
  DatasetHash: 'dataset-hash',
  CacheHit: 'cache-hit',
  Counts: 'counts',
  ReportStatus: 'report-status',
  Regressions: 'regressions',
  SnapshotPath: 'snapshot-path',
  SummaryPath: 'summary-path',
  PerfPath: 'perf-path',
  ClickHouseUrl: 'clickhouse-url',
} as const;
export type Output = (typeof Outputs)[keyof typeof Outputs];

/** What `main` hands to `post` (core.saveState / getState). */
export const State = {
  CacheKey: 'cache-key',
  CachePath: 'cache-path',
  CacheSave: 'cache-save',
  ContainerId: 'container-id',
} as const;
export type StateKey = (typeof State)[keyof typeof State];

/** Values of the `target` input. */
export const Targets = ['embedded', 'url', 'container'] as const;
export type TargetInput = (typeof Targets)[number];

/** Values of the `backend` input. */
export const Backends = ['clickhouse', 'csv'] as const;
export type BackendInput = (typeof Backends)[number];

/** Presets shipped in `configs/presets/`. */
export const Presets = ['tiny', 'small', 'medium'] as const;
export type PresetInput = (typeof Presets)[number];

/**
 * Environment variable naming a directory that stands in for the GitHub cache service (same
 * `restoreCache` / `saveCache` contract, entries kept as directories): self-hosted runners with
 * a persistent disk, local runs, and this repository's tests.
 */
export const LOCAL_ACTIONS_CACHE_ENV = 'XAPI_DB_LOAD_ACTIONS_CACHE_DIR';

/** chdb version the Action installs when the runner has none (matches package.json). */
export const CHDB_VERSION = '3.4.0';

/** Prefix of cache keys; bump the `v` when the cached layout changes. */
export const CACHE_KEY_PREFIX = 'xapi-db-load-dataset-v1';
