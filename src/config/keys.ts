/**
 * Every YAML key the tool accepts, in one place: how it is checked, its default, its doc line
 * (the README's key reference is generated from `KEY_DOCS`), and the legacy aliases.
 *
 * Accepted = the original tool's 1.x keys ∪ its current keys ∪ our new keys (`seed`,
 * `csv_gzip_level`, `s3_endpoint`, `s3_region`).
 */

import type { Config, CourseMakeup } from './types.ts';
import { BACKENDS, DEFAULT_ASPECTS_VERSION } from './types.ts';
import {
  aspectsVersionValue,
  booleanValue,
  type Check,
  calendarDay,
  clickhouseHost,
  httpUrl,
  identifier,
  integerInRange,
  lmsBaseUrl,
  logDirectory,
  nonNegativeInteger,
  nowInstant,
  nullable,
  oneOf,
  outputDestination,
  passwordOrEmpty,
  portNumber,
  positiveInteger,
  s3BucketName,
  s3KeyPrefix,
  s3SourceLocation,
  seedInteger,
  stringValue,
  timeoutSeconds,
  ttlExpression,
} from './values.ts';

/** Marks a key that has no default: leaving it out is a config error. */
export const REQUIRED: unique symbol = Symbol('required config key');

/** One top-level YAML key that maps onto one `Config` field. */
export interface KeySpec<T> {
  /** The user-facing snake_case key. */
  readonly key: string;
  readonly check: Check<T>;
  /** Value when the key is absent, or `REQUIRED`. */
  readonly default: T | typeof REQUIRED;
  /** One or two sentences for the README. */
  readonly doc: string;
  /** First version of the original tool (or `ts` for ours) that read the key. */
  readonly since: string;
  /** Never echo the value (messages print `<redacted>`). */
  readonly secret?: boolean;
}

/** `Config` fields filled from exactly one YAML key. */
export type ScalarField = Exclude<keyof Config, 'configFile' | 'courseSizes'>;

type ScalarKeyTable = { readonly [F in ScalarField]: KeySpec<Config[F]> };

function spec<T>(value: KeySpec<T>): KeySpec<T> {
  return value;
}

/**
 * The scalar keys, keyed by their `Config` field so the compiler reports a field without a key.
 * Table order is the order problems are reported in.
 */
export const SCALAR_KEYS = {
  backend: spec({
    key: 'backend',
    check: oneOf(BACKENDS),
    default: REQUIRED,
    doc: 'Where the data goes: gzipped CSV files, direct ClickHouse inserts, the Ralph LRS, Native files via chDB, or Vector log lines.',
    since: '1.0',
  }),
  numXapiBatches: spec({
    key: 'num_xapi_batches',
    check: nonNegativeInteger,
    default: REQUIRED,
    doc: 'Number of batches of random xAPI statements; the total is num_xapi_batches × batch_size (plus initial enrollments).',
    since: '2.0.0',
  }),
  batchSize: spec({
    key: 'batch_size',
    check: positiveInteger,
    default: REQUIRED,
    doc: 'Statements per batch: one ClickHouse insert, one Ralph POST or one Native file.',
    since: '1.0',
  }),
  numWorkers: spec({
    key: 'num_workers',
    check: integerInRange(1, 64),
    default: 4,
    doc: 'Generation worker threads; also the number of requests in flight for ClickHouse, Ralph and Vector.',
    since: '2.0.0',
  }),
  startDate: spec({
    key: 'start_date',
    check: calendarDay,
    default: REQUIRED,
    doc: 'First day of the overall window (inclusive, 00:00 UTC).',
    since: '1.0',
  }),
  endDate: spec({
    key: 'end_date',
    check: calendarDay,
    default: REQUIRED,
    doc: 'Last day of the overall window (exclusive, 00:00 UTC). Must be more than course_length_days after start_date.',
    since: '1.0',
  }),
  courseLengthDays: spec({
    key: 'course_length_days',
    check: positiveInteger,
    default: REQUIRED,
    doc: 'Length of every course run in days; runs are placed inside the window.',
    since: '1.0',
  }),
  now: spec({
    key: 'now',
    check: nowInstant,
    default: null,
    doc: 'The dataset\'s "now": today (UTC midnight of the run day) or a UTC instant. The start_date…end_date window keeps its length and is moved to end at now, a share of learners is active in the hours and days before it, and reports bind now to it. null keeps the dates as written.',
    since: 'ts',
  }),
  ttl: spec({
    key: 'ttl',
    check: ttlExpression,
    default: null,
    doc: "TTL of the xAPI tables Aspects puts one on (parsed, per-domain and last-visit tables): none, aspects (Tutor's default, toDateTime(emission_time) + INTERVAL 1 YEAR) or an expression. A window such a TTL would delete is refused.",
    since: 'ts',
  }),
  aspectsVersion: spec({
    key: 'aspects_version',
    check: aspectsVersionValue,
    default: DEFAULT_ASPECTS_VERSION,
    doc: 'The aspects-dbt release whose ClickHouse schema is created and whose models the reports read: 7.0.0 (Aspects 3.x main) or 8.0.0 (Aspects 6.x). Written with or without the "v".',
    since: 'ts',
  }),
  numOrganizations: spec({
    key: 'num_organizations',
    check: positiveInteger,
    default: REQUIRED,
    doc: 'Number of organizations, named Org0 … Org{n-1}.',
    since: '1.0',
  }),
  numActors: spec({
    key: 'num_actors',
    check: positiveInteger,
    default: REQUIRED,
    doc: 'Size of the learner pool courses enroll from.',
    since: '1.0',
  }),
  numActorProfileChanges: spec({
    key: 'num_actor_profile_changes',
    check: positiveInteger,
    default: 1,
    doc: 'How many user_profile rows each learner gets, as if they edited their profile that many times.',
    since: '1.5.0',
  }),
  numCoursePublishes: spec({
    key: 'num_course_publishes',
    check: positiveInteger,
    default: 1,
    doc: 'How many times each course is published: each publish dumps its overview, blocks and object tags again.',
    since: '1.5.0',
  }),
  lmsUrl: spec({
    key: 'lms_url',
    check: lmsBaseUrl,
    default: 'http://localhost:18000',
    doc: 'Base URL of the LMS in actor home pages, course URLs and block ids. A trailing slash is removed.',
    since: '3.2.0',
  }),
  seed: spec({
    key: 'seed',
    check: seedInteger,
    default: 1,
    doc: 'Seed of the pseudo-random generator: the same seed and config give byte-identical data.',
    since: 'ts',
  }),
  logDir: spec({
    key: 'log_dir',
    check: logDirectory,
    default: 'logs',
    doc: 'Directory for db_load.log; null or "" writes no log file.',
    since: '1.0',
  }),
  logMaxBytes: spec({
    key: 'log_max_bytes',
    check: nonNegativeInteger,
    default: 10_485_760,
    doc: 'Size at which db_load.log is rotated; 0 never rotates.',
    since: '3.2.0',
  }),
  logBackupCount: spec({
    key: 'log_backup_count',
    check: nonNegativeInteger,
    default: 5,
    doc: 'Rotated log files kept (db_load.log.1 … .n).',
    since: '3.2.0',
  }),
  csvOutputDestination: spec({
    key: 'csv_output_destination',
    check: nullable(outputDestination),
    default: null,
    doc: 'Folder the csv backend writes its .csv.gz files to: a local directory or s3://bucket/prefix/. Required by the csv backend.',
    since: '1.0',
  }),
  csvGzipLevel: spec({
    key: 'csv_gzip_level',
    check: integerInRange(1, 9),
    default: 3,
    doc: 'gzip level of the CSV files, 1 (fastest) to 9 (smallest). 3 measured as fast as 1 with smaller files; 6 is about 2x slower, 9 slower still (the original tool used 9).',
    since: 'ts',
  }),
  loadFromS3After: spec({
    key: 'load_from_s3_after',
    check: booleanValue,
    default: false,
    doc: 'csv: load each file into ClickHouse from s3_source_location once written. chdb: load each Native file while generation continues.',
    since: '2.0.0',
  }),
  s3SourceLocation: spec({
    key: 's3_source_location',
    check: nullable(s3SourceLocation),
    default: null,
    doc: 'URL ClickHouse reads the CSV files from (https://bucket.s3.amazonaws.com/prefix/); a trailing / is added. Required when the csv backend loads from S3.',
    since: '1.0',
  }),
  s3Bucket: spec({
    key: 's3_bucket',
    check: nullable(s3BucketName),
    default: null,
    doc: 'chdb: bucket the Native files are written to.',
    since: '2.0.0',
  }),
  s3Prefix: spec({
    key: 's3_prefix',
    check: nullable(s3KeyPrefix),
    default: null,
    doc: 'chdb: key prefix of the Native files; a trailing / is added.',
    since: '2.0.0',
  }),
  s3Key: spec({
    key: 's3_key',
    check: nullable(stringValue({ allowEmpty: true })),
    default: null,
    doc: 'S3 access key id, for writing files and for ClickHouse s3() reads.',
    since: '1.0',
  }),
  s3Secret: spec({
    key: 's3_secret',
    check: nullable(stringValue({ allowEmpty: true })),
    default: null,
    doc: 'S3 secret access key. Prefer the XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY environment variable.',
    since: '1.0',
    secret: true,
  }),
  s3Endpoint: spec({
    key: 's3_endpoint',
    check: nullable(httpUrl),
    default: null,
    doc: 'Endpoint of an S3-compatible store (MinIO, s3rver); when set, path-style addressing is used.',
    since: 'ts',
  }),
  s3Region: spec({
    key: 's3_region',
    check: stringValue({ allowEmpty: false }),
    default: 'us-east-1',
    doc: 'S3 region used to sign requests.',
    since: 'ts',
  }),
  dbHost: spec({
    key: 'db_host',
    check: clickhouseHost,
    default: 'localhost',
    doc: 'ClickHouse to use: a host name (an existing server), `embedded` (the in-process engine, in memory), `embedded:<dir>` (in-process, data kept in <dir>), or `container[:image]` (a Docker container).',
    since: '1.0',
  }),
  dbPort: spec({
    key: 'db_port',
    check: portNumber,
    default: 18_123,
    doc: 'ClickHouse HTTP port; a port ending in 443 or 440 means https. null uses the client default.',
    since: '1.0',
  }),
  dbUsername: spec({
    key: 'db_username',
    check: stringValue({ allowEmpty: false }),
    default: 'default',
    doc: 'ClickHouse user.',
    since: '1.0',
  }),
  dbPassword: spec({
    key: 'db_password',
    check: passwordOrEmpty,
    default: '',
    doc: 'ClickHouse password. Prefer the XAPI_DB_LOAD_CLICKHOUSE_PASSWORD environment variable.',
    since: '1.0',
    secret: true,
  }),
  dbConnectTimeout: spec({
    key: 'db_connect_timeout',
    check: timeoutSeconds,
    default: 10,
    doc: 'Seconds a ClickHouse server may take to answer the first query before the run fails as unreachable; null waits as long as any request (300 s).',
    since: 'ts',
  }),
  dbName: spec({
    key: 'db_name',
    check: identifier,
    default: 'xapi',
    doc: 'Database of the xAPI table (honoured, unlike the original 2.x/3.x which hard-coded xapi).',
    since: '1.0',
  }),
  dbEventSinkName: spec({
    key: 'db_event_sink_name',
    check: identifier,
    default: 'event_sink',
    doc: 'Database of the event-sink tables (honoured, unlike the original 2.x/3.x which hard-coded event_sink).',
    since: '1.0',
  }),
  eventRawTableName: spec({
    key: 'event_raw_table_name',
    check: identifier,
    default: 'xapi_events_all',
    doc: 'Raw xAPI table in db_name.',
    since: '1.0',
  }),
  eventTableName: spec({
    key: 'event_table_name',
    check: identifier,
    default: 'xapi_events_all_parsed',
    doc: 'Parsed xAPI table the 1.x tool counted rows in; accepted for compatibility.',
    since: '1.0',
  }),
  lrsUrl: spec({
    key: 'lrs_url',
    check: nullable(httpUrl),
    default: null,
    doc: 'Ralph statements endpoint, e.g. http://localhost:8100/xAPI/statements. Required by the ralph backend.',
    since: '1.0',
  }),
  lrsUsername: spec({
    key: 'lrs_username',
    check: nullable(stringValue({ allowEmpty: false })),
    default: null,
    doc: 'Ralph basic-auth user. Required by the ralph backend.',
    since: '1.0',
  }),
  lrsPassword: spec({
    key: 'lrs_password',
    check: nullable(stringValue({ allowEmpty: true })),
    default: null,
    doc: 'Ralph basic-auth password. Required by the ralph backend. Prefer the XAPI_DB_LOAD_RALPH_PASSWORD environment variable.',
    since: '1.0',
    secret: true,
  }),
  lrsRequestTimeout: spec({
    key: 'lrs_request_timeout',
    check: timeoutSeconds,
    default: 120,
    doc: 'Timeout of one Ralph request in seconds; null waits forever.',
    since: '3.2.0',
  }),
  lrsMaxRetries: spec({
    key: 'lrs_max_retries',
    check: integerInRange(0, 100),
    default: 5,
    doc: 'Retries of one Ralph request after 429, 5xx, a timeout or a network error (exponential backoff with jitter), before the run fails.',
    since: 'ts',
  }),
  ralphSendEnrollments: spec({
    key: 'ralph_send_enrollments',
    check: booleanValue,
    default: false,
    doc: 'ralph backend: also POST the initial enrollments to Ralph. By default they go straight to ClickHouse, as the original 2.x/3.x did.',
    since: 'ts',
  }),
  vectorOutput: spec({
    key: 'vector_output',
    check: stringValue({ allowEmpty: false }),
    default: '-',
    doc: 'vector backend: where statement log lines go, "-" for stdout or a file path. Progress never goes there.',
    since: 'ts',
  }),
  dbReportingName: spec({
    key: 'db_reporting_name',
    check: identifier,
    default: 'reporting',
    doc: "Database of Aspects' dbt models (reporting materialized views and views).",
    since: 'ts',
  }),
  initSchema: spec({
    key: 'init_schema',
    check: nullable(booleanValue),
    default: null,
    doc: 'Create the Aspects schema (idempotent) before loading. null: yes for the embedded engine and containers, no for an existing server.',
    since: 'ts',
  }),
  optimizeFinal: spec({
    key: 'optimize_final',
    check: booleanValue,
    default: true,
    doc: 'Run OPTIMIZE … FINAL on the ReplacingMergeTree tables after a load, so report queries give deterministic answers.',
    since: 'ts',
  }),
  xapiLoadOrder: spec({
    key: 'xapi_load_order',
    check: oneOf(['chronological', 'generation'] as const),
    default: 'chronological',
    doc: 'chronological: xAPI reaches the raw table (and its materialized views) in time order, as in production; generation: as generated (faster, MV "most recent" results may differ).',
    since: 'ts',
  }),
  dbCluster: spec({
    key: 'db_cluster',
    check: nullable(identifier),
    default: null,
    doc: 'ClickHouse cluster name; bulk loads from S3 then use s3Cluster() so every node reads a share.',
    since: 'ts',
  }),
  shardIndex: spec({
    key: 'shard_index',
    check: nonNegativeInteger,
    default: 0,
    doc: 'This run generates slice shard_index of shard_count of the random xAPI batches (also --shard i/n). Shard 0 also writes the event-sink tables and enrollments.',
    since: 'ts',
  }),
  shardCount: spec({
    key: 'shard_count',
    check: positiveInteger,
    default: 1,
    doc: 'Number of slices the random xAPI batches are split into; n machines with shard_index 0…n−1 together write exactly the one-machine dataset.',
    since: 'ts',
  }),
  nativeOutputDestination: spec({
    key: 'native_output_destination',
    check: nullable(outputDestination),
    default: null,
    doc: 'chdb backend: where LZ4 Native files are written, a local directory or s3://bucket/prefix/. Default: s3://{s3_bucket}/{s3_prefix} as the original.',
    since: 'ts',
  }),
} satisfies ScalarKeyTable;

/** Keys holding course sizes; they are validated together (see `validate.ts`). */
export const COURSE_SIZE_KEYS = {
  numCourseSizes: {
    key: 'num_course_sizes',
    doc: 'Mapping of size name → number of courses of that size. Courses are created in this order.',
    since: '1.0',
  },
  courseSizeMakeup: {
    key: 'course_size_makeup',
    doc: 'Mapping of size name → what a course of that size contains. Entries not named in num_course_sizes are ignored.',
    since: '1.0',
  },
} as const;

/** One field of a `course_size_makeup` entry. */
export interface MakeupFieldSpec {
  readonly key: string;
  readonly check: Check<number>;
  readonly doc: string;
}

/**
 * Fields of each `course_size_makeup` entry. Minimums come from what generation needs: every
 * event family must find an object of its type in any course (quirk Q20).
 */
export const MAKEUP_FIELDS = {
  actors: {
    key: 'actors',
    check: positiveInteger,
    doc: 'Enrollments per course, drawn with replacement from the learner pool; at most num_actors.',
  },
  problems: { key: 'problems', check: positiveInteger, doc: 'Problem blocks per course.' },
  videos: { key: 'videos', check: positiveInteger, doc: 'Video blocks per course.' },
  chapters: { key: 'chapters', check: positiveInteger, doc: 'Chapter (section) blocks per course.' },
  sequences: { key: 'sequences', check: positiveInteger, doc: 'Sequential (subsection) blocks per course.' },
  verticals: { key: 'verticals', check: nonNegativeInteger, doc: 'Vertical (unit) blocks per course.' },
  forumPosts: { key: 'forum_posts', check: positiveInteger, doc: 'Forum threads per course.' },
} as const satisfies { readonly [F in keyof CourseMakeup]: MakeupFieldSpec };

/**
 * Legacy spellings, the one table. `key` entries rename a key; `value` entries rename a value of
 * `key`. Each use prints one deprecation line.
 */
export const LEGACY_ALIASES = [
  { kind: 'key', legacy: 'num_batches', current: 'num_xapi_batches', until: '1.5.0' },
  // The original 2.x/3.x silently ignored this key although its own default config still set it
  // (quirk Q8); we honour it.
  { kind: 'key', legacy: 'csv_load_from_s3_after', current: 'load_from_s3_after', until: '1.5.0' },
  { kind: 'value', key: 'backend', legacy: 'csv_file', current: 'csv', until: '1.5.0' },
  { kind: 'value', key: 'backend', legacy: 'ralph_clickhouse', current: 'ralph', until: '1.5.0' },
] as const;

export type LegacyAlias = (typeof LEGACY_ALIASES)[number];

/** Keys accepted and ignored: the original tool injects `config_file` into its config. */
export const IGNORED_KEYS = [
  { key: 'config_file', doc: 'Written into the config by the original tool itself; ignored.', since: '2.0.0' },
] as const;

/** One row of the key reference (README). */
export interface KeyDoc {
  readonly key: string;
  /** What values are accepted. */
  readonly type: string;
  /** Default as YAML text, or `required`, or `—` for aliases and ignored keys. */
  readonly default: string;
  readonly doc: string;
  readonly since: string;
  /** The key to use instead, for legacy keys. */
  readonly deprecated?: string;
  readonly secret?: boolean;
}

function defaultText(value: unknown): string {
  if (value === REQUIRED) return 'required';
  if (value === null) return 'null';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function buildKeyDocs(): KeyDoc[] {
  const docs: KeyDoc[] = [];
  const scalarSpecs: ReadonlyArray<KeySpec<unknown>> = Object.values(SCALAR_KEYS);
  for (const s of scalarSpecs) {
    docs.push({
      key: s.key,
      type: s.check.expected,
      default: defaultText(s.default),
      doc: s.doc,
      since: s.since,
      ...(s.secret ? { secret: true } : {}),
    });
  }
  docs.push({
    key: COURSE_SIZE_KEYS.numCourseSizes.key,
    type: 'a mapping of size name to a non-negative integer',
    default: 'required',
    doc: COURSE_SIZE_KEYS.numCourseSizes.doc,
    since: COURSE_SIZE_KEYS.numCourseSizes.since,
  });
  const fields = Object.values(MAKEUP_FIELDS).map((f) => f.key);
  docs.push({
    key: COURSE_SIZE_KEYS.courseSizeMakeup.key,
    type: `a mapping of size name to a mapping of ${fields.join(', ')}`,
    default: 'required',
    doc: COURSE_SIZE_KEYS.courseSizeMakeup.doc,
    since: COURSE_SIZE_KEYS.courseSizeMakeup.since,
  });
  for (const alias of LEGACY_ALIASES) {
    if (alias.kind !== 'key') continue;
    docs.push({
      key: alias.legacy,
      type: `as ${alias.current}`,
      default: '—',
      doc: `Legacy spelling of ${alias.current} (up to ${alias.until}).`,
      since: '1.0',
      deprecated: alias.current,
    });
  }
  for (const ignored of IGNORED_KEYS) {
    docs.push({ key: ignored.key, type: 'anything', default: '—', doc: ignored.doc, since: ignored.since });
  }
  return docs;
}

/**
 * The key reference: every accepted YAML key with its type, default, doc and, for legacy keys,
 * the replacement.
 */
export const KEY_DOCS: readonly KeyDoc[] = Object.freeze(buildKeyDocs().map((d) => Object.freeze(d)));

/** Every top-level key a config may contain (current, legacy and ignored). */
export const ACCEPTED_KEYS: ReadonlySet<string> = new Set(KEY_DOCS.map((d) => d.key));

/**
 * Candidates for "did you mean": every accepted key except ignored ones. A legacy key that is the
 * closest match is suggested under its current name (see `suggestKey`).
 */
export const SUGGESTABLE_KEYS: readonly string[] = KEY_DOCS.filter(
  (d) => !IGNORED_KEYS.some((i) => i.key === d.key),
).map((d) => d.key);

/** The current spelling of a key (legacy keys map to their replacement). */
export function currentKeyName(key: string): string {
  return KEY_DOCS.find((d) => d.key === key)?.deprecated ?? key;
}
