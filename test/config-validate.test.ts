import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/index.ts';
import { ConfigError } from '../src/errors.ts';
import { BASE_RAW, withChanges, withMakeup } from './fixtures/config/base-config.ts';

/** Resolves `raw` and returns the ConfigError it throws (fails the test if it does not throw). */
function configErrorOf(raw: unknown): ConfigError {
  try {
    resolveConfig(raw, { env: {}, warn: () => {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

const BACKEND_CHOICES = 'one of csv, clickhouse, ralph, chdb, vector';

interface Case {
  readonly what: string;
  readonly raw: Record<string, unknown>;
  readonly messages: readonly string[];
}

const cases: Case[] = [
  // ---- keys ---------------------------------------------------------------------------------
  {
    what: 'a misspelled key, with a suggestion',
    raw: withChanges({ num_xapi_batchs: 3 }),
    messages: ['num_xapi_batchs: unknown key; did you mean "num_xapi_batches"?'],
  },
  {
    what: 'an unknown key with no close match',
    raw: withChanges({ colour: 'red' }),
    messages: ['colour: unknown key'],
  },
  {
    what: 'a missing required key',
    raw: withChanges({ backend: undefined }),
    messages: [`backend: missing; expected ${BACKEND_CHOICES}`],
  },
  {
    what: 'an unknown backend',
    raw: withChanges({ backend: 'kafka' }),
    messages: [`backend: got "kafka"; expected ${BACKEND_CHOICES}`],
  },
  // ---- integers -----------------------------------------------------------------------------
  {
    what: 'a non-numeric num_xapi_batches',
    raw: withChanges({ num_xapi_batches: 'ten' }),
    messages: ['num_xapi_batches: got "ten"; expected a non-negative integer'],
  },
  {
    what: 'a bad legacy num_batches, named as written',
    raw: withChanges({ num_xapi_batches: undefined, num_batches: -1 }),
    messages: ['num_batches: got -1; expected a non-negative integer'],
  },
  {
    what: 'batch_size 0',
    raw: withChanges({ batch_size: 0 }),
    messages: ['batch_size: got 0; expected a positive integer'],
  },
  {
    what: 'a fractional batch_size',
    raw: withChanges({ batch_size: 1.5 }),
    messages: ['batch_size: got 1.5; expected a positive integer'],
  },
  {
    what: 'num_workers above 64',
    raw: withChanges({ num_workers: 65 }),
    messages: ['num_workers: got 65; expected an integer from 1 to 64'],
  },
  {
    what: 'num_workers 0',
    raw: withChanges({ num_workers: 0 }),
    messages: ['num_workers: got 0; expected an integer from 1 to 64'],
  },
  {
    what: 'a negative seed',
    raw: withChanges({ seed: -1 }),
    messages: ['seed: got -1; expected a non-negative safe integer (0 to 9007199254740991)'],
  },
  {
    what: 'a seed beyond 2^53 - 1',
    raw: withChanges({ seed: 2 ** 53 }),
    messages: ['seed: got 9007199254740992; expected a non-negative safe integer (0 to 9007199254740991)'],
  },
  {
    what: 'csv_gzip_level 10',
    raw: withChanges({ csv_gzip_level: 10 }),
    messages: ['csv_gzip_level: got 10; expected an integer from 1 to 9'],
  },
  {
    what: 'num_organizations 0',
    raw: withChanges({ num_organizations: 0 }),
    messages: ['num_organizations: got 0; expected a positive integer'],
  },
  {
    what: 'num_actors 0',
    raw: withChanges({ num_actors: 0 }),
    messages: ['num_actors: got 0; expected a positive integer'],
  },
  {
    what: 'course_length_days 0',
    raw: withChanges({ course_length_days: 0 }),
    messages: ['course_length_days: got 0; expected a positive integer'],
  },
  {
    what: 'num_course_publishes 0',
    raw: withChanges({ num_course_publishes: 0 }),
    messages: ['num_course_publishes: got 0; expected a positive integer'],
  },
  {
    what: 'a negative log_max_bytes',
    raw: withChanges({ log_max_bytes: -1 }),
    messages: ['log_max_bytes: got -1; expected a non-negative integer'],
  },
  // ---- dates --------------------------------------------------------------------------------
  {
    what: 'a month 13',
    raw: withChanges({ start_date: '2014-13-01' }),
    messages: ['start_date: got "2014-13-01"; expected a date (YYYY-MM-DD)'],
  },
  {
    what: 'a day that does not exist',
    raw: withChanges({ end_date: '2023-02-30' }),
    messages: ['end_date: got "2023-02-30"; expected a date (YYYY-MM-DD)'],
  },
  {
    what: 'a timestamp with a time of day',
    raw: withChanges({ start_date: new Date('2014-01-01T10:00:00Z') }),
    messages: ['start_date: got 2014-01-01T10:00:00.000Z; expected a date (YYYY-MM-DD)'],
  },
  {
    what: 'a start date after the end date',
    raw: withChanges({ start_date: '2023-11-27', end_date: '2014-01-01' }),
    messages: ['start_date: got 2023-11-27, end_date 2014-01-01; Start date must be before end date'],
  },
  {
    what: 'a start date equal to the end date',
    raw: withChanges({ end_date: '2014-01-01' }),
    messages: ['start_date: got 2014-01-01, end_date 2014-01-01; Start date must be before end date'],
  },
  {
    what: 'a window shorter than a course',
    raw: withChanges({ end_date: '2014-03-01' }),
    messages: [
      'course_length_days: got 120; the 59 days from start_date to end_date must be longer than course_length_days',
    ],
  },
  {
    what: 'a window exactly one course long',
    raw: withChanges({ end_date: '2014-05-01' }),
    messages: [
      'course_length_days: got 120; the 120 days from start_date to end_date must be longer than course_length_days',
    ],
  },
  // ---- course sizes ---------------------------------------------------------------------------
  {
    what: 'a makeup wanting more actors than num_actors',
    raw: withMakeup({ actors: 11 }),
    messages: [
      'course_size_makeup.small.actors: got 11; course size "small" wants more actors than are configured in num_actors (10)',
    ],
  },
  {
    what: 'a size without a makeup',
    raw: withChanges({ num_course_sizes: { small: 1, tiny: 2 } }),
    messages: ['num_course_sizes.tiny: got size "tiny"; expected a size defined in course_size_makeup (small)'],
  },
  {
    what: 'a negative course count',
    raw: withChanges({ num_course_sizes: { small: -1 } }),
    messages: ['num_course_sizes.small: got -1; expected a non-negative integer'],
  },
  {
    what: 'zero courses in total',
    raw: withChanges({ num_course_sizes: { small: 0 } }),
    messages: ['num_course_sizes: got 0 courses in total; expected at least 1'],
  },
  {
    what: 'num_course_sizes that is not a mapping',
    raw: withChanges({ num_course_sizes: ['small'] }),
    messages: ['num_course_sizes: got a list; expected a mapping of size name to number of courses'],
  },
  {
    what: 'a missing course_size_makeup',
    raw: withChanges({ course_size_makeup: undefined }),
    messages: ['course_size_makeup: missing; expected a mapping of size name to course contents'],
  },
  {
    what: 'a makeup that is not a mapping',
    raw: withChanges({ course_size_makeup: { small: 5 } }),
    messages: [
      'course_size_makeup.small: got 5; expected a mapping of actors, problems, videos, chapters, sequences, verticals, forum_posts',
    ],
  },
  {
    what: 'makeup actors 0',
    raw: withMakeup({ actors: 0 }),
    messages: ['course_size_makeup.small.actors: got 0; expected a positive integer'],
  },
  {
    what: 'makeup videos 0',
    raw: withMakeup({ videos: 0 }),
    messages: ['course_size_makeup.small.videos: got 0; expected a positive integer'],
  },
  {
    what: 'makeup problems 0',
    raw: withMakeup({ problems: 0 }),
    messages: ['course_size_makeup.small.problems: got 0; expected a positive integer'],
  },
  {
    what: 'makeup sequences 0',
    raw: withMakeup({ sequences: 0 }),
    messages: ['course_size_makeup.small.sequences: got 0; expected a positive integer'],
  },
  {
    what: 'makeup forum_posts 0',
    raw: withMakeup({ forum_posts: 0 }),
    messages: ['course_size_makeup.small.forum_posts: got 0; expected a positive integer'],
  },
  {
    what: 'makeup chapters 0',
    raw: withMakeup({ chapters: 0 }),
    messages: ['course_size_makeup.small.chapters: got 0; expected a positive integer'],
  },
  {
    what: 'negative makeup verticals',
    raw: withMakeup({ verticals: -1 }),
    messages: ['course_size_makeup.small.verticals: got -1; expected a non-negative integer'],
  },
  {
    what: 'a missing makeup field',
    raw: withMakeup({ verticals: undefined }),
    messages: ['course_size_makeup.small.verticals: missing; expected a non-negative integer'],
  },
  {
    what: 'a misspelled makeup field',
    raw: withMakeup({ forum_post: 3 }),
    messages: ['course_size_makeup.small.forum_post: unknown key; did you mean "forum_posts"?'],
  },
  {
    what: 'a course outline too small for videos and problems',
    raw: withMakeup({ chapters: 1, sequences: 1, verticals: 0 }),
    messages: [
      'course_size_makeup.small: got chapters + sequences + verticals = 2; expected at least 3 so videos and problems have a place in the course outline',
    ],
  },
  // ---- URLs and paths -----------------------------------------------------------------------
  {
    what: 'an lms_url with a double quote',
    raw: withChanges({ lms_url: 'http://lms"x' }),
    messages: [
      'lms_url: got "http://lms\\"x"; expected an ASCII http(s) URL without quotes, backslashes, whitespace, query or fragment',
    ],
  },
  {
    what: 'an lms_url with a backslash',
    raw: withChanges({ lms_url: 'http://lms\\x' }),
    messages: [
      'lms_url: got "http://lms\\\\x"; expected an ASCII http(s) URL without quotes, backslashes, whitespace, query or fragment',
    ],
  },
  {
    what: 'a shard_index outside shard_count',
    raw: withChanges({ shard_index: 4, shard_count: 4 }),
    messages: ['shard_index: got 4; expected an integer from 0 to shard_count − 1 (3)'],
  },
  {
    what: 'an unknown xapi_load_order',
    raw: withChanges({ xapi_load_order: 'random' }),
    messages: ['xapi_load_order: got "random"; expected one of chronological, generation'],
  },
  {
    what: 'an lms_url with non-ASCII characters',
    raw: withChanges({ lms_url: 'http://lms.exämple.org' }),
    messages: [
      'lms_url: got "http://lms.exämple.org"; expected an ASCII http(s) URL without quotes, backslashes, whitespace, query or fragment',
    ],
  },
  {
    what: 'an lms_url that is not http(s)',
    raw: withChanges({ lms_url: 'ftp://lms.example.com' }),
    messages: [
      'lms_url: got "ftp://lms.example.com"; expected an ASCII http(s) URL without quotes, backslashes, whitespace, query or fragment',
    ],
  },
  {
    what: 'a csv backend without csv_output_destination',
    raw: withChanges({ csv_output_destination: undefined }),
    messages: [
      'csv_output_destination: missing; expected a local directory or s3://bucket/prefix/ (required by the csv backend)',
    ],
  },
  {
    what: 'a csv destination with an unsupported scheme',
    raw: withChanges({ csv_output_destination: 'gs://bucket/x/' }),
    messages: [
      'csv_output_destination: got "gs://bucket/x/"; expected a local directory or s3://bucket/prefix/, or null',
    ],
  },
  {
    what: 'load_from_s3_after without s3_source_location',
    raw: withChanges({ load_from_s3_after: true }),
    messages: [
      's3_source_location: missing; expected an https:// or s3:// URL of the folder holding the files (required when load_from_s3_after is true)',
    ],
  },
  {
    what: 'legacy csv_load_from_s3_after without s3_source_location',
    raw: withChanges({ csv_load_from_s3_after: true }),
    messages: [
      's3_source_location: missing; expected an https:// or s3:// URL of the folder holding the files (required when csv_load_from_s3_after is true)',
    ],
  },
  {
    what: 'a load_from_s3_after that is not a boolean',
    raw: withChanges({ load_from_s3_after: 'yes' }),
    messages: ['load_from_s3_after: got "yes"; expected true or false'],
  },
  {
    what: 'a ralph backend without its LRS settings',
    raw: withChanges({ backend: 'ralph' }),
    messages: [
      'lrs_url: missing; expected an http(s) URL (required by the ralph backend)',
      'lrs_username: missing; expected a non-empty string (quote it in YAML) (required by the ralph backend)',
      'lrs_password: missing; expected a string (quote it in YAML) (required by the ralph backend)',
    ],
  },
  {
    what: 'an s3_bucket given as a URL',
    raw: withChanges({ backend: 'chdb', s3_bucket: 's3://bucket' }),
    messages: ['s3_bucket: got "s3://bucket"; expected an S3 bucket name (no s3:// and no /), or null'],
  },
  {
    what: 'an s3_endpoint without a scheme',
    raw: withChanges({ s3_endpoint: 'minio:9000' }),
    messages: ['s3_endpoint: got "minio:9000"; expected an http(s) URL, or null'],
  },
  {
    what: 'a zero lrs_request_timeout',
    raw: withChanges({ lrs_request_timeout: 0 }),
    messages: ['lrs_request_timeout: got 0; expected a positive number of seconds, or null for no timeout'],
  },
  // ---- aspects_version ---------------------------------------------------------------------
  {
    what: 'an aspects_version of an unknown minor release',
    raw: withChanges({ aspects_version: '8.1.0' }),
    messages: ['aspects_version: got "8.1.0"; expected one of 7.0.0, 8.0.0 (did you mean "8.0.0"?)'],
  },
  {
    what: 'an aspects_version that YAML read as a number',
    raw: withChanges({ aspects_version: 7 }),
    messages: ['aspects_version: got 7; expected one of 7.0.0, 8.0.0 (did you mean "7.0.0"?; quote it in YAML)'],
  },
  {
    what: 'an aspects_version of a release the tool does not have',
    raw: withChanges({ aspects_version: 'v6.1.0' }),
    messages: ['aspects_version: got "v6.1.0"; expected one of 7.0.0, 8.0.0'],
  },
  // ---- ClickHouse ---------------------------------------------------------------------------
  {
    what: 'a non-numeric db_port',
    raw: withChanges({ db_port: 'http' }),
    messages: ['db_port: got "http"; expected a port number from 1 to 65535 (number or numeric string), or null'],
  },
  {
    what: 'a db_port out of range',
    raw: withChanges({ db_port: 70_000 }),
    messages: ['db_port: got 70000; expected a port number from 1 to 65535 (number or numeric string), or null'],
  },
  {
    what: 'a db_name that is not an identifier',
    raw: withChanges({ db_name: 'xapi; DROP' }),
    messages: [
      'db_name: got "xapi; DROP"; expected a ClickHouse identifier (letters, digits and _, not starting with a digit)',
    ],
  },
  {
    what: 'a db_username that YAML read as a number',
    raw: withChanges({ db_username: 1234 }),
    messages: ['db_username: got 1234; expected a non-empty string (quote it in YAML)'],
  },
  {
    what: 'a db_password that is not a string, without echoing it',
    raw: withChanges({ db_password: 1234 }),
    messages: ['db_password: got <redacted>; expected a string (quote it in YAML), or null'],
  },
];

describe('aspects_version', () => {
  it.each([
    [undefined, '8.0.0'],
    ['7.0.0', '7.0.0'],
    ['v7.0.0', '7.0.0'],
    ['V8.0.0', '8.0.0'],
  ])('reads %s as %s', (written, expected) => {
    const raw = written === undefined ? withChanges({}) : withChanges({ aspects_version: written });
    expect(resolveConfig(raw, { env: {}, warn: () => {} }).aspectsVersion).toBe(expected);
  });
});

describe('validation', () => {
  it.each(cases)('rejects $what', ({ raw, messages }) => {
    const error = configErrorOf(raw);
    expect(error.exitCode).toBe(2);
    expect(error.problems.map((p) => p.message)).toEqual(messages);
  });

  it('reports every problem at once, one line each', () => {
    const error = configErrorOf(withChanges({ num_xapi_batches: 'ten', batch_size: 0, num_workers: 99 }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      [
        'Invalid configuration (3 problems):',
        '  - num_xapi_batches: got "ten"; expected a non-negative integer',
        '  - batch_size: got 0; expected a positive integer',
        '  - num_workers: got 99; expected an integer from 1 to 64',
      ].join('\n'),
    );
    expect(error.problems.map((p) => p.key)).toEqual(['num_xapi_batches', 'batch_size', 'num_workers']);
  });

  it('rejects a top level that is not a mapping', () => {
    const error = configErrorOf(['backend', 'csv']);
    expect(error.problems.map((p) => p.message)).toEqual(['config: got a list; expected a mapping of config keys']);
  });

  it('names the source in the first line', () => {
    expect(() => resolveConfig(withChanges({ batch_size: 0 }), { env: {}, source: 'action inputs' })).toThrowError(
      'Invalid configuration in action inputs:\n  - batch_size: got 0; expected a positive integer',
    );
  });

  it('never echoes a secret, wherever it is', () => {
    const secret = 'S3cr3t-Zebra-Pancake';
    const raw = withChanges({
      backend: 'ralph',
      batch_size: 0,
      lrs_url: 'not a url',
      lrs_username: 'ralph',
      lrs_password: [secret],
      db_password: { value: secret },
      s3_secret: 42,
      db_pasword: secret,
    });
    const error = configErrorOf(raw);
    expect(error.problems.length).toBeGreaterThanOrEqual(5);
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('42');
    expect(error.message).toContain('lrs_password: got <redacted>;');
    expect(error.message).toContain('db_password: got <redacted>;');
    expect(error.message).toContain('s3_secret: got <redacted>;');
    expect(error.message).toContain('db_pasword: unknown key; did you mean "db_password"?');
  });

  it('never echoes a secret that arrives through the environment', () => {
    const secret = 'Env-Secret-Walrus';
    const error = (() => {
      try {
        resolveConfig(withChanges({ backend: 'ralph', batch_size: 0 }), {
          env: { XAPI_DB_LOAD_RALPH_PASSWORD: secret },
          warn: () => {},
        });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.message).not.toContain(secret);
  });
});

describe('normalization', () => {
  const resolve = (raw: Record<string, unknown>) => resolveConfig(raw, { env: {}, warn: () => {} });

  it('applies the documented defaults', () => {
    const config = resolve({ ...BASE_RAW });
    expect(config).toMatchObject({
      configFile: null,
      numWorkers: 4,
      numActorProfileChanges: 1,
      numCoursePublishes: 1,
      seed: 1,
      csvGzipLevel: 3,
      lmsUrl: 'http://localhost:18000',
      loadFromS3After: false,
      s3Region: 'us-east-1',
      s3Endpoint: null,
      dbHost: 'localhost',
      dbPort: 18_123,
      dbUsername: 'default',
      dbPassword: '',
      dbName: 'xapi',
      dbEventSinkName: 'event_sink',
      eventRawTableName: 'xapi_events_all',
      eventTableName: 'xapi_events_all_parsed',
      lrsRequestTimeout: 120,
      lrsMaxRetries: 5,
      ralphSendEnrollments: false,
      vectorOutput: '-',
      dbReportingName: 'reporting',
      initSchema: null,
      optimizeFinal: true,
      xapiLoadOrder: 'chronological',
      dbCluster: null,
      shardIndex: 0,
      shardCount: 1,
      nativeOutputDestination: null,
      logDir: 'logs',
      logMaxBytes: 10_485_760,
      logBackupCount: 5,
    });
  });

  it('converts dates to epoch days (UTC)', () => {
    const config = resolve({ ...BASE_RAW });
    expect(config.startDate).toBe(Date.UTC(2014, 0, 1) / 86_400_000);
    expect(config.endDate).toBe(Date.UTC(2023, 10, 27) / 86_400_000);
  });

  it('adds trailing slashes to destinations and prefixes (quirk Q14)', () => {
    const config = resolve(
      withChanges({
        csv_output_destination: 's3://bucket/logs',
        s3_source_location: 'https://bucket.s3.amazonaws.com/logs',
        s3_prefix: 'native/run1',
      }),
    );
    expect(config.csvOutputDestination).toBe('s3://bucket/logs/');
    expect(config.s3SourceLocation).toBe('https://bucket.s3.amazonaws.com/logs/');
    expect(config.s3Prefix).toBe('native/run1/');
    expect(resolve(withChanges({ csv_output_destination: 'logs', s3_prefix: '' })).s3Prefix).toBe('');
  });

  it('strips the trailing slash of lms_url', () => {
    expect(resolve(withChanges({ lms_url: 'https://lms.example.com/' })).lmsUrl).toBe('https://lms.example.com');
  });

  it.each([
    { dbPort: '18123', expected: 18_123 },
    { dbPort: 8443, expected: 8443 },
    { dbPort: null, expected: null },
  ])('accepts db_port $dbPort', ({ dbPort, expected }) => {
    expect(resolve(withChanges({ db_port: dbPort })).dbPort).toBe(expected);
  });

  it('reads db_password: null (the 1.x default) as no password', () => {
    expect(resolve(withChanges({ db_password: null })).dbPassword).toBe('');
  });

  it('accepts and ignores config_file and the 1.x table-name keys', () => {
    const config = resolve(
      withChanges({ config_file: '/x.yaml', event_raw_table_name: 'raw', event_table_name: 'parsed' }),
    );
    expect(config.configFile).toBeNull();
    expect(config.eventRawTableName).toBe('raw');
    expect(config.eventTableName).toBe('parsed');
  });

  it('joins sizes with makeups in num_course_sizes order and ignores unused makeups', () => {
    const medium = { actors: 7, problems: 40, videos: 20, chapters: 4, sequences: 20, verticals: 30, forum_posts: 40 };
    const config = resolve(
      withChanges({
        num_course_sizes: { medium: 2, small: 1 },
        course_size_makeup: { ...BASE_RAW.course_size_makeup, medium, unused: { actors: 'whatever' } },
      }),
    );
    expect(config.courseSizes).toEqual([
      {
        name: 'medium',
        count: 2,
        makeup: { actors: 7, problems: 40, videos: 20, chapters: 4, sequences: 20, verticals: 30, forumPosts: 40 },
      },
      {
        name: 'small',
        count: 1,
        makeup: { actors: 5, problems: 20, videos: 10, chapters: 3, sequences: 10, verticals: 20, forumPosts: 20 },
      },
    ]);
  });

  it('returns a deeply frozen Config', () => {
    const config = resolve({ ...BASE_RAW });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.courseSizes)).toBe(true);
    expect(Object.isFrozen(config.courseSizes[0])).toBe(true);
    expect(Object.isFrozen(config.courseSizes[0]?.makeup)).toBe(true);
  });

  it('does not require anything extra for chdb, clickhouse or vector', () => {
    for (const backend of ['chdb', 'clickhouse', 'vector']) {
      expect(resolve(withChanges({ backend, csv_output_destination: undefined })).backend).toBe(backend);
    }
  });
});
