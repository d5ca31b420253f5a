/** Aspects report checks: one report per Superset dataset, snapshots and baselines, perf timing, job summary. */

export {
  BUILTIN_REPORT_FILES,
  DEFAULT_APPROXIMATE_TOLERANCE,
  type LoadReportsOptions,
  loadReports,
  parseReport,
  REPORT_SQL_DIR,
  type ReportDefinition,
  renderReportSql,
  reportSkipReason,
  reportsForVersion,
  type SkippedReport,
} from './catalog.ts';
export {
  assertNoRegression,
  baselinePathForVersion,
  type CheckStatus,
  type PerfCheckOptions,
  type ReportCheckOptions,
  type ReportCheckResult,
  runReportCheck,
} from './check.ts';
export {
  FILTER_IDS,
  type FilterCombination,
  type FilterId,
  perfEntryName,
  pickFilterCombinations,
  reportForFilter,
} from './filters.ts';
export { generateDatasetDir, type LoadDatasetOptions, loadDatasetDir } from './load-dataset.ts';
export {
  comparePerf,
  DEFAULT_GRANULES_GROWTH,
  DEFAULT_PERF_THRESHOLDS,
  DEFAULT_ROWS_GROWTH,
  EMBEDDED_QUERY_LOG_NOTE,
  measurePerf,
  type PerfComparison,
  type PerfMeasurement,
  type PerfOptions,
  type PerfRun,
  type PerfThresholds,
  type PerfVerdict,
  type PlanFinding,
  type PlanGuard,
  readPerf,
  writePerf,
} from './perf.ts';
export {
  type IndexUse,
  PRUNING_KEYS,
  type ProfileOptions,
  planLines,
  profileQuery,
  type QueryLogStats,
  type QueryProfile,
  type TableRead,
} from './profile.ts';
export {
  pickCourse,
  type ReportParams,
  type ReportResult,
  type ReportValue,
  referenceTimeFromConfig,
  runReport,
} from './run.ts';
export {
  compareSnapshots,
  formatComparison,
  type ReportComparison,
  readSnapshot,
  type Snapshot,
  type SnapshotComparison,
  serializeSnapshot,
  writeSnapshot,
} from './snapshot.ts';
export { renderSummary, type SummaryInput } from './summary.ts';
