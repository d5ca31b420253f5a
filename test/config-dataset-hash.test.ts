import { describe, expect, it } from 'vitest';
import { DATA_FORMAT_VERSION, datasetHash, datasetHashInput, resolveConfig } from '../src/config/index.ts';
import { BASE_RAW, withChanges, withMakeup } from './fixtures/config/base-config.ts';

const hashOf = (raw: Record<string, unknown>): string =>
  datasetHash(resolveConfig(raw, { env: {}, warn: () => {} })).hex;

const BASE_HASH = hashOf({ ...BASE_RAW });

describe('datasetHash', () => {
  it('is a sha256 hex digest with a 16-digit short form', () => {
    const hash = datasetHash(resolveConfig({ ...BASE_RAW }, { env: {} }));
    expect(hash.hex).toMatch(/^[0-9a-f]{64}$/);
    expect(hash.short).toBe(hash.hex.slice(0, 16));
  });

  it('includes the data format version', () => {
    const input = datasetHashInput(resolveConfig({ ...BASE_RAW }, { env: {} }));
    expect(JSON.parse(input)[0]).toEqual(['data_format_version', DATA_FORMAT_VERSION]);
  });

  it('does not depend on key order', () => {
    const reversed = Object.fromEntries(Object.entries(BASE_RAW).reverse());
    const makeupReordered = withChanges({
      course_size_makeup: {
        small: { forum_posts: 20, verticals: 20, sequences: 10, chapters: 3, videos: 10, problems: 20, actors: 5 },
      },
    });
    expect(hashOf(reversed)).toBe(BASE_HASH);
    expect(hashOf(makeupReordered)).toBe(BASE_HASH);
  });

  it('does not depend on the spelling of dates or legacy keys', () => {
    expect(hashOf(withChanges({ start_date: new Date(Date.UTC(2014, 0, 1)) }))).toBe(BASE_HASH);
    expect(hashOf(withChanges({ num_xapi_batches: undefined, num_batches: BASE_RAW.num_xapi_batches }))).toBe(
      BASE_HASH,
    );
  });

  it.each([
    { what: 'backend', changes: { backend: 'clickhouse' } },
    { what: 'num_workers', changes: { num_workers: 16 } },
    { what: 'csv_output_destination', changes: { csv_output_destination: 's3://bucket/elsewhere/' } },
    { what: 'csv_gzip_level', changes: { csv_gzip_level: 9 } },
    { what: 'credentials', changes: { db_password: 'x', s3_key: 'k', s3_secret: 's' } },
    { what: 'ClickHouse names', changes: { db_host: 'ch.example.com', db_port: 8443, db_name: 'other' } },
    { what: 'S3 settings', changes: { s3_endpoint: 'http://127.0.0.1:9000', s3_region: 'eu-west-1' } },
    { what: 'logging', changes: { log_dir: 'elsewhere', log_max_bytes: 0 } },
    { what: 'an unused makeup', changes: { course_size_makeup: { ...BASE_RAW.course_size_makeup, unused: {} } } },
  ])('is unchanged by $what', ({ changes }) => {
    expect(hashOf(withChanges(changes))).toBe(BASE_HASH);
  });

  it.each([
    { what: 'seed', raw: withChanges({ seed: 2 }) },
    { what: 'start_date', raw: withChanges({ start_date: '2014-01-02' }) },
    { what: 'end_date', raw: withChanges({ end_date: '2023-11-28' }) },
    { what: 'course_length_days', raw: withChanges({ course_length_days: 121 }) },
    { what: 'a course count', raw: withChanges({ num_course_sizes: { small: 2 } }) },
    { what: 'a makeup', raw: withMakeup({ videos: 11 }) },
    { what: 'num_actors', raw: withChanges({ num_actors: 11 }) },
    { what: 'num_organizations', raw: withChanges({ num_organizations: 4 }) },
    { what: 'num_xapi_batches', raw: withChanges({ num_xapi_batches: 4 }) },
    { what: 'batch_size', raw: withChanges({ batch_size: 101 }) },
    { what: 'num_course_publishes', raw: withChanges({ num_course_publishes: 2 }) },
    { what: 'num_actor_profile_changes', raw: withChanges({ num_actor_profile_changes: 2 }) },
    { what: 'lms_url', raw: withChanges({ lms_url: 'https://lms.example.com' }) },
  ])('changes with $what', ({ raw }) => {
    expect(hashOf(raw)).not.toBe(BASE_HASH);
  });

  it('changes with the order of course sizes', () => {
    const medium = { actors: 7, problems: 40, videos: 20, chapters: 4, sequences: 20, verticals: 30, forum_posts: 40 };
    const makeups = { ...BASE_RAW.course_size_makeup, medium };
    expect(hashOf(withChanges({ num_course_sizes: { small: 1, medium: 1 }, course_size_makeup: makeups }))).not.toBe(
      hashOf(withChanges({ num_course_sizes: { medium: 1, small: 1 }, course_size_makeup: makeups })),
    );
  });

  it('is pinned for the base config (a change here means cached datasets are invalidated)', () => {
    expect(datasetHashInput(resolveConfig({ ...BASE_RAW }, { env: {} }))).toBe(
      '[["data_format_version",1],["seed",1],["start_date",16071],["end_date",19688],["course_length_days",120],' +
        '["num_organizations",3],["num_actors",10],["num_actor_profile_changes",1],["num_course_publishes",1],' +
        '["num_xapi_batches",3],["batch_size",100],["lms_url","http://localhost:18000"],' +
        '["course_sizes",[["small",1,[5,20,10,3,10,20,20]]]]]',
    );
  });
});
