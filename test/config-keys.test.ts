import { describe, expect, it } from 'vitest';
import { ACCEPTED_KEYS, ENV_OVERRIDES, KEY_DOCS, LEGACY_ALIASES, SECRET_KEYS } from '../src/config/index.ts';
import { editDistance, suggest } from '../src/config/suggest.ts';

describe('key table', () => {
  it('documents every key once, with a type, a default and a doc line', () => {
    const keys = KEY_DOCS.map((d) => d.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const doc of KEY_DOCS) {
      expect(doc.type, doc.key).not.toBe('');
      expect(doc.default, doc.key).not.toBe('');
      expect(doc.doc, doc.key).toMatch(/\.$/);
    }
  });

  it('accepts the keys of the original 1.x and current versions, and ours', () => {
    const original = [
      'backend',
      'num_batches',
      'num_xapi_batches',
      'batch_size',
      'num_workers',
      'start_date',
      'end_date',
      'course_length_days',
      'num_organizations',
      'num_actors',
      'num_actor_profile_changes',
      'num_course_publishes',
      'num_course_sizes',
      'course_size_makeup',
      'log_dir',
      'log_max_bytes',
      'log_backup_count',
      'lms_url',
      'db_host',
      'db_port',
      'db_username',
      'db_password',
      'db_name',
      'db_event_sink_name',
      'event_raw_table_name',
      'event_table_name',
      's3_key',
      's3_secret',
      'csv_output_destination',
      'csv_load_from_s3_after',
      'load_from_s3_after',
      's3_source_location',
      's3_bucket',
      's3_prefix',
      'lrs_url',
      'lrs_username',
      'lrs_password',
      'lrs_request_timeout',
      'config_file',
    ];
    const ours = [
      'seed',
      'now',
      'ttl',
      'aspects_version',
      'csv_gzip_level',
      's3_endpoint',
      's3_region',
      'lrs_max_retries',
      'ralph_send_enrollments',
      'vector_output',
      'db_reporting_name',
      'init_schema',
      'optimize_final',
      'xapi_load_order',
      'db_cluster',
      'shard_index',
      'shard_count',
      'native_output_destination',
      'db_connect_timeout',
    ];
    expect([...ACCEPTED_KEYS].sort()).toEqual([...original, ...ours].sort());
  });

  it('marks legacy keys deprecated with their replacement', () => {
    const deprecated = KEY_DOCS.filter((d) => d.deprecated !== undefined).map((d) => [d.key, d.deprecated]);
    expect(deprecated).toEqual([
      ['num_batches', 'num_xapi_batches'],
      ['csv_load_from_s3_after', 'load_from_s3_after'],
    ]);
    expect(LEGACY_ALIASES.filter((a) => a.kind === 'value').map((a) => [a.legacy, a.current])).toEqual([
      ['csv_file', 'csv'],
      ['ralph_clickhouse', 'ralph'],
    ]);
  });

  it('marks exactly the secret keys secret, and each has an env override', () => {
    expect(KEY_DOCS.filter((d) => d.secret).map((d) => d.key)).toEqual(
      [...SECRET_KEYS].sort((a, b) => {
        const order = KEY_DOCS.map((d) => d.key);
        return order.indexOf(a) - order.indexOf(b);
      }),
    );
    expect(ENV_OVERRIDES.map((o) => o.key).sort()).toEqual([...SECRET_KEYS].sort());
  });
});

describe('suggestions', () => {
  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it.each([
    ['num_xapi_batchs', 'num_xapi_batches'],
    ['num-workers', 'num_workers'],
    ['Batch_Size', 'batch_size'],
    ['lrs_passwrd', 'lrs_password'],
  ])('suggests %s → %s', (typo, expected) => {
    expect(suggest(typo, [...ACCEPTED_KEYS])).toBe(expected);
  });

  it.each(['url', 'colour', 'x'])('suggests nothing for %s', (word) => {
    expect(suggest(word, [...ACCEPTED_KEYS])).toBeNull();
  });
});
