/**
 * The validated, normalized configuration every other module consumes.
 *
 * User-facing YAML keys keep the original tool's snake_case names (see `KEY_DOCS` in
 * `keys.ts`); inside the program they are camelCase. A `Config` is produced only by
 * `loadConfig()` / `resolveConfig()` and is deeply frozen.
 */

/** Backends, by their current names. Legacy names are rewritten by the config loader. */
export const BACKENDS = ['csv', 'clickhouse', 'ralph', 'chdb', 'vector'] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * The aspects-dbt releases whose schema the tool can create (without the "v"), oldest first.
 * Defined here so the config can check `aspects_version` without importing `src/clickhouse`;
 * `src/clickhouse/aspects-version.ts` re-exports it with the per-version models.
 */
export const ASPECTS_VERSIONS = ['7.0.0', '8.0.0'] as const;
export type AspectsVersion = (typeof ASPECTS_VERSIONS)[number];
/** The newest release: what a config without `aspects_version` gets. */
export const DEFAULT_ASPECTS_VERSION: AspectsVersion = '8.0.0';

/** How many of each kind of object a course of one size has (`course_size_makeup.<size>`). */
export interface CourseMakeup {
  /** Enrolled learners, drawn with replacement from the actor pool. */
  readonly actors: number;
  readonly problems: number;
  readonly videos: number;
  readonly chapters: number;
  readonly sequences: number;
  readonly verticals: number;
  readonly forumPosts: number;
}

/** One entry of `num_course_sizes`, in YAML order (the order matters for generation). */
export interface CourseSizeCount {
  readonly name: string;
  readonly count: number;
  readonly makeup: CourseMakeup;
}

/** A calendar day at 00:00 UTC, as days since 1970-01-01. */
export type EpochDay = number;

export interface Config {
  /** Absolute path of the file the config came from, or `null` for an in-memory object. */
  readonly configFile: string | null;

  // ---- run shape -------------------------------------------------------------------------
  readonly backend: Backend;
  /** `num_xapi_batches` (legacy `num_batches`). */
  readonly numXapiBatches: number;
  readonly batchSize: number;
  /** Generation worker threads; also requests in flight for queue backends. @default 4 */
  readonly numWorkers: number;
  /** `start_date`, inclusive. */
  readonly startDate: EpochDay;
  /** `end_date`, exclusive. */
  readonly endDate: EpochDay;
  readonly courseLengthDays: number;
  /**
   * The dataset's "now" in whole seconds since the epoch, UTC, or `null` (1.x behaviour: the
   * window is start_date…end_date as written). When set, `startDate`/`endDate` above are the
   * window moved to end on now's day, and reports bind `now` to it. @default null
   */
  readonly now: number | null;
  /**
   * TTL expression of the xAPI tables Aspects puts one on (`ttl` key), or `null` for none.
   * @default null
   */
  readonly ttl: string | null;
  /**
   * The aspects-dbt release whose schema is created and whose models reports read
   * (`aspects_version`, written with or without the "v"). @default the newest, "8.0.0"
   */
  readonly aspectsVersion: AspectsVersion;
  readonly numOrganizations: number;
  readonly numActors: number;
  /** @default 1 */
  readonly numActorProfileChanges: number;
  /** @default 1 */
  readonly numCoursePublishes: number;
  /** `num_course_sizes` joined with `course_size_makeup`, in YAML order. */
  readonly courseSizes: readonly CourseSizeCount[];
  /** Base URL of the LMS used in statement ids and `homePage`. No trailing slash. @default http://localhost:18000 */
  readonly lmsUrl: string;
  /** PRNG seed: same seed + same config = byte-identical data. @default 1 */
  readonly seed: number;

  // ---- logging ---------------------------------------------------------------------------
  /** @default "logs" */
  readonly logDir: string;
  /** @default 10485760 */
  readonly logMaxBytes: number;
  /** @default 5 */
  readonly logBackupCount: number;

  // ---- csv -------------------------------------------------------------------------------
  /** Local directory or `s3://bucket/prefix/`; always ends with `/` after normalization. */
  readonly csvOutputDestination: string | null;
  /** gzip level of the CSV files (1 fastest … 9 smallest). @default 3 */
  readonly csvGzipLevel: number;
  /** `load_from_s3_after` or legacy `csv_load_from_s3_after`. @default false */
  readonly loadFromS3After: boolean;
  /** `https://…/` (or `s3://…/`) location ClickHouse reads the files from; ends with `/`. */
  readonly s3SourceLocation: string | null;

  // ---- chdb (native files) ---------------------------------------------------------------
  readonly s3Bucket: string | null;
  /** Ends with `/` after normalization (or is empty). */
  readonly s3Prefix: string | null;

  // ---- S3 credentials and endpoint -------------------------------------------------------
  readonly s3Key: string | null;
  /** Secret. Env override `XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY`. Never printed. */
  readonly s3Secret: string | null;
  /** S3-compatible endpoint (MinIO, s3rver); path-style addressing when set. */
  readonly s3Endpoint: string | null;
  /** @default "us-east-1" */
  readonly s3Region: string;

  // ---- ClickHouse ------------------------------------------------------------------------
  /** @default "localhost" */
  readonly dbHost: string;
  /** `null` = the client library's default port. @default 18123 */
  readonly dbPort: number | null;
  /** @default "default" */
  readonly dbUsername: string;
  /** Secret. Env override `XAPI_DB_LOAD_CLICKHOUSE_PASSWORD`. Never printed. @default "" */
  readonly dbPassword: string;
  /**
   * Seconds the first query (`SELECT version()`) may take before the server counts as
   * unreachable; `null` = the 300 s request timeout. @default 10
   */
  readonly dbConnectTimeout: number | null;
  /** @default "xapi" */
  readonly dbName: string;
  /** @default "event_sink" */
  readonly dbEventSinkName: string;
  /** @default "xapi_events_all" */
  readonly eventRawTableName: string;
  /** 1.x only, kept for compatibility. @default "xapi_events_all_parsed" */
  readonly eventTableName: string;
  /** Database of Aspects' dbt models (reporting MVs, views). @default "reporting" */
  readonly dbReportingName: string;
  /** Create the Aspects schema before loading; `null` = yes for embedded/container targets, no for a server. @default null */
  readonly initSchema: boolean | null;
  /** `OPTIMIZE … FINAL` the Replacing tables after a load, so reports are deterministic. @default true */
  readonly optimizeFinal: boolean;
  /** Insert xAPI into the raw table in time order (MV results like production) or as generated (faster). @default "chronological" */
  readonly xapiLoadOrder: 'chronological' | 'generation';
  /** ClickHouse cluster name: bulk loads use `s3Cluster(...)` on it. @default null */
  readonly dbCluster: string | null;

  // ---- sharding --------------------------------------------------------------------------
  /** This machine's slice of the random xAPI batches (0-based). @default 0 */
  readonly shardIndex: number;
  /** How many slices the batches are split into. @default 1 */
  readonly shardCount: number;

  // ---- chdb (native files) output --------------------------------------------------------
  /** Where the chdb backend writes Native files: local dir or `s3://bucket/prefix/`; ends with `/`. */
  readonly nativeOutputDestination: string | null;

  // ---- Ralph -----------------------------------------------------------------------------
  readonly lrsUrl: string | null;
  readonly lrsUsername: string | null;
  /** Secret. Env override `XAPI_DB_LOAD_RALPH_PASSWORD`. Never printed. */
  readonly lrsPassword: string | null;
  /** Seconds; `null` = no timeout. @default 120 */
  readonly lrsRequestTimeout: number | null;
  /** Retries of a Ralph request after 429, 5xx or a network error. @default 5 */
  readonly lrsMaxRetries: number;
  /** Send the initial enrollments through Ralph too (the original sent them straight to ClickHouse). @default false */
  readonly ralphSendEnrollments: boolean;

  // ---- Vector ----------------------------------------------------------------------------
  /** Where the vector backend writes log lines: `-` for stdout or a file path. @default "-" */
  readonly vectorOutput: string;
}

/** Keys whose values are secrets: never echoed in messages, logs or summaries. */
export const SECRET_KEYS = ['db_password', 's3_secret', 'lrs_password'] as const;
