/**
 * A hand-built `Config` for tests that need a world but not the config loader: one `small`
 * course, the original tool's default small makeup, the default LMS URL and seed 1.
 */

import type { Config, CourseMakeup } from '../../src/config/types.ts';

export const SMALL_MAKEUP: CourseMakeup = {
  actors: 5,
  problems: 20,
  videos: 10,
  chapters: 3,
  sequences: 10,
  verticals: 20,
  forumPosts: 20,
};

/** 2014-01-01 as an epoch day. */
export const START_DAY = 16_071;
/** 2023-11-27 as an epoch day. */
export const END_DAY = 19_688;

/** A complete test config; `overrides` replace top-level keys. */
export function makeTestConfig(overrides: Partial<Config> = {}): Config {
  const config: Config = {
    configFile: null,
    backend: 'csv',
    numXapiBatches: 3,
    batchSize: 100,
    numWorkers: 1,
    startDate: START_DAY,
    endDate: END_DAY,
    courseLengthDays: 120,
    numOrganizations: 3,
    numActors: 10,
    numActorProfileChanges: 1,
    numCoursePublishes: 1,
    courseSizes: [{ name: 'small', count: 1, makeup: SMALL_MAKEUP }],
    lmsUrl: 'http://localhost:18000',
    seed: 1,
    logDir: 'logs',
    logMaxBytes: 10_485_760,
    logBackupCount: 5,
    csvOutputDestination: null,
    csvGzipLevel: 6,
    loadFromS3After: false,
    s3SourceLocation: null,
    s3Bucket: null,
    s3Prefix: null,
    s3Key: null,
    s3Secret: null,
    s3Endpoint: null,
    s3Region: 'us-east-1',
    dbHost: 'localhost',
    dbPort: 18_123,
    dbUsername: 'default',
    dbPassword: '',
    dbName: 'xapi',
    dbEventSinkName: 'event_sink',
    eventRawTableName: 'xapi_events_all',
    eventTableName: 'xapi_events_all_parsed',
    lrsUrl: null,
    lrsUsername: null,
    lrsPassword: null,
    lrsRequestTimeout: 120,
    ...overrides,
  };
  return Object.freeze(config);
}
