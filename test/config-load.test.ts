import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig, resolveConfig } from '../src/config/index.ts';
import { ConfigError } from '../src/errors.ts';
import { BASE_RAW, withChanges } from './fixtures/config/base-config.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'configs', 'examples');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xapi-db-load-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `text` to a fresh file in the temp dir and returns its path. */
let fileCount = 0;
async function yamlFile(text: string): Promise<string> {
  fileCount += 1;
  const path = join(dir, `config-${fileCount}.yaml`);
  await writeFile(path, text);
  return path;
}

const BASE_YAML = `backend: csv
csv_output_destination: out/
num_xapi_batches: 3
batch_size: 100
start_date: 2014-01-01
end_date: 2023-11-27
course_length_days: 120
num_organizations: 3
num_actors: 10
num_course_sizes:
  small: 1
course_size_makeup:
  small: {actors: 5, problems: 20, videos: 10, chapters: 3, sequences: 10, verticals: 20, forum_posts: 20}
`;

async function loadError(path: string, env: Record<string, string> = {}): Promise<ConfigError> {
  const error: unknown = await loadConfig(path, { env, warn: () => {} }).then(
    () => new Error('expected a ConfigError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).exitCode).toBe(2);
  return error as ConfigError;
}

function withoutFile(config: Config): Omit<Config, 'configFile'> {
  const { configFile: _ignored, ...rest } = config;
  return rest;
}

describe('loadConfig', () => {
  it('records the absolute path of the file', async () => {
    const path = await yamlFile(BASE_YAML);
    const config = await loadConfig(path, { env: {} });
    expect(config.configFile).toBe(resolve(path));
  });

  it('reads unquoted YAML 1.1 dates and quoted date strings alike', async () => {
    const unquoted = await loadConfig(await yamlFile(BASE_YAML), { env: {} });
    const quoted = await loadConfig(
      await yamlFile(BASE_YAML.replace('2014-01-01', '"2014-01-01"').replace('2023-11-27', "'2023-11-27'")),
      { env: {} },
    );
    expect(unquoted.startDate).toBe(Date.UTC(2014, 0, 1) / 86_400_000);
    expect(withoutFile(quoted)).toEqual(withoutFile(unquoted));
  });

  it('reads YAML 1.1 booleans (yes/no) like the original', async () => {
    const config = await loadConfig(
      await yamlFile(`${BASE_YAML}load_from_s3_after: yes\ns3_source_location: https://b.s3.amazonaws.com/x\n`),
      { env: {} },
    );
    expect(config.loadFromS3After).toBe(true);
  });

  it('keeps integer-like size names in file order', async () => {
    const yaml = BASE_YAML.replace('num_course_sizes:\n  small: 1\n', 'num_course_sizes:\n  small: 1\n  2: 1\n').concat(
      '  2: {actors: 5, problems: 20, videos: 10, chapters: 3, sequences: 10, verticals: 20, forum_posts: 20}\n',
    );
    const config = await loadConfig(await yamlFile(yaml), { env: {} });
    expect(config.courseSizes.map((s) => s.name)).toEqual(['small', '2']);
  });

  it('rejects a missing file, naming the path', async () => {
    const path = join(dir, 'nope.yaml');
    const error = await loadError(path);
    expect(error.problems.map((p) => p.message)).toEqual([`config_file: got ${JSON.stringify(path)}; file not found`]);
    expect(error.message.split('\n')[0]).toBe(`Invalid configuration in ${path}:`);
  });

  it('rejects a directory', async () => {
    const error = await loadError(dir);
    expect(error.problems.map((p) => p.message)).toEqual([
      `config_file: got ${JSON.stringify(dir)}; expected a file, found a directory`,
    ]);
  });

  it('rejects a YAML syntax error with line and column, without quoting the line', async () => {
    const path = await yamlFile(`backend: csv\ndb_password: "Quoted-Secret-Otter\nbatch_size: 100\n`);
    const error = await loadError(path);
    expect(error.problems.map((p) => p.message)).toEqual([
      `config_file: got ${JSON.stringify(path)}; invalid YAML at line 4, column 1: Missing closing "quote`,
    ]);
    expect(error.message).not.toContain('Otter');
  });

  it('rejects a duplicated key with its position', async () => {
    const path = await yamlFile('backend: csv\nbatch_size: 1\nbatch_size: 2\n');
    const error = await loadError(path);
    expect(error.problems.map((p) => p.message)).toEqual([
      `config_file: got ${JSON.stringify(path)}; invalid YAML at line 3, column 1: Map keys must be unique`,
    ]);
  });

  it.each([
    { what: 'a list', text: '- backend\n- csv\n', found: 'a list' },
    { what: 'a scalar', text: 'just words\n', found: 'a string' },
    { what: 'an empty file', text: '# nothing here\n', found: 'an empty document' },
  ])('rejects a top level that is $what', async ({ text, found }) => {
    const path = await yamlFile(text);
    const error = await loadError(path);
    expect(error.problems.map((p) => p.message)).toEqual([
      `config_file: got ${JSON.stringify(path)}; expected a mapping of config keys at the top level, found ${found}`,
    ]);
  });

  it('reports the problems of a file in one error', async () => {
    const path = await yamlFile(BASE_YAML.replace('batch_size: 100', 'batch_size: ten\nnum_batchs: 3'));
    const error = await loadError(path);
    expect(error.problems.map((p) => p.message)).toEqual([
      'num_batchs: unknown key; did you mean "num_xapi_batches"?',
      'batch_size: got "ten"; expected a positive integer',
    ]);
  });
});

describe('environment overrides', () => {
  const overrides = [
    { env: 'XAPI_DB_LOAD_CLICKHOUSE_PASSWORD', key: 'db_password', field: 'dbPassword' },
    { env: 'XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY', key: 's3_secret', field: 's3Secret' },
    { env: 'XAPI_DB_LOAD_RALPH_PASSWORD', key: 'lrs_password', field: 'lrsPassword' },
  ] as const;

  it.each(overrides)('$env replaces $key', ({ env, key, field }) => {
    const config = resolveConfig(withChanges({ [key]: 'from-yaml' }), { env: { [env]: 'from-env' } });
    expect(config[field]).toBe('from-env');
  });

  it.each(overrides)('$env set to "" still replaces $key', ({ env, key, field }) => {
    const config = resolveConfig(withChanges({ [key]: 'from-yaml' }), { env: { [env]: '' } });
    expect(config[field]).toBe('');
  });

  it.each(overrides)('$key keeps its YAML value when $env is unset', ({ key, field }) => {
    const config = resolveConfig(withChanges({ [key]: 'from-yaml' }), { env: {} });
    expect(config[field]).toBe('from-yaml');
  });

  it('satisfies the ralph backend password requirement', () => {
    const config = resolveConfig(
      withChanges({ backend: 'ralph', lrs_url: 'http://localhost:8100/xAPI/statements', lrs_username: 'ralph' }),
      { env: { XAPI_DB_LOAD_RALPH_PASSWORD: 'pw' } },
    );
    expect(config.lrsPassword).toBe('pw');
  });

  it('applies to files too', async () => {
    const path = await yamlFile(`${BASE_YAML}db_password: from-yaml\n`);
    const config = await loadConfig(path, { env: { XAPI_DB_LOAD_CLICKHOUSE_PASSWORD: 'from-env' } });
    expect(config.dbPassword).toBe('from-env');
  });
});

describe('legacy aliases', () => {
  function resolveWithWarnings(raw: Record<string, unknown>): { config: Config; lines: string[] } {
    const lines: string[] = [];
    const config = resolveConfig(raw, { env: {}, warn: (line) => lines.push(line) });
    return { config, lines };
  }

  it('reads num_batches as num_xapi_batches', () => {
    const { config, lines } = resolveWithWarnings(withChanges({ num_xapi_batches: undefined, num_batches: 7 }));
    expect(config.numXapiBatches).toBe(7);
    expect(lines).toEqual(['"num_batches" is deprecated; use "num_xapi_batches" instead.']);
  });

  it('prefers num_xapi_batches when both are set', () => {
    const { config, lines } = resolveWithWarnings(withChanges({ num_xapi_batches: 5, num_batches: 7 }));
    expect(config.numXapiBatches).toBe(5);
    expect(lines).toEqual([
      '"num_batches" is deprecated; use "num_xapi_batches" instead. Both are set, so "num_batches" is ignored.',
    ]);
  });

  it('honours csv_load_from_s3_after (ignored by the original 2.x/3.x, quirk Q8)', () => {
    const { config, lines } = resolveWithWarnings(
      withChanges({ csv_load_from_s3_after: true, s3_source_location: 'https://b.s3.amazonaws.com/x/' }),
    );
    expect(config.loadFromS3After).toBe(true);
    expect(lines).toEqual(['"csv_load_from_s3_after" is deprecated; use "load_from_s3_after" instead.']);
  });

  it('prefers load_from_s3_after when both are set', () => {
    const { config, lines } = resolveWithWarnings(
      withChanges({ csv_load_from_s3_after: true, load_from_s3_after: false }),
    );
    expect(config.loadFromS3After).toBe(false);
    expect(lines).toEqual([
      '"csv_load_from_s3_after" is deprecated; use "load_from_s3_after" instead. Both are set, so "csv_load_from_s3_after" is ignored.',
    ]);
  });

  it.each([
    { legacy: 'csv_file', current: 'csv' },
    { legacy: 'ralph_clickhouse', current: 'ralph' },
  ])('reads backend $legacy as $current', ({ legacy, current }) => {
    const { config, lines } = resolveWithWarnings(
      withChanges({
        backend: legacy,
        lrs_url: 'http://localhost:8100/xAPI/statements',
        lrs_username: 'ralph',
        lrs_password: 'pw',
      }),
    );
    expect(config.backend).toBe(current);
    expect(lines).toEqual([`backend: "${legacy}" is deprecated; use "${current}" instead.`]);
  });

  it('prints nothing for a current-style config', () => {
    expect(resolveWithWarnings({ ...BASE_RAW }).lines).toEqual([]);
  });

  it('loads the 1.x example exactly like the same config written with current keys', async () => {
    const lines: string[] = [];
    const legacy = await loadConfig(join(EXAMPLES, 'legacy-1x.yaml'), { env: {}, warn: (l) => lines.push(l) });
    const current = await loadConfig(join(ROOT, 'test', 'fixtures', 'config', 'legacy-1x-current-keys.yaml'), {
      env: {},
      warn: (l) => lines.push(`unexpected: ${l}`),
    });
    expect(withoutFile(legacy)).toEqual(withoutFile(current));
    expect(lines).toEqual([
      '"num_batches" is deprecated; use "num_xapi_batches" instead.',
      '"csv_load_from_s3_after" is deprecated; use "load_from_s3_after" instead.',
      'backend: "csv_file" is deprecated; use "csv" instead.',
    ]);
  });
});

describe('shipped configs', () => {
  it('loads configs/default_config.yaml with the documented values', async () => {
    const lines: string[] = [];
    const config = await loadConfig(join(ROOT, 'configs', 'default_config.yaml'), {
      env: {},
      warn: (l) => lines.push(l),
    });
    expect(lines).toEqual([]);
    expect(config).toMatchObject({
      backend: 'clickhouse',
      dbHost: 'embedded:.xapi-db-load/chdb',
      initSchema: true,
      xapiLoadOrder: 'chronological',
      optimizeFinal: true,
      csvOutputDestination: 'logs/',
      numXapiBatches: 100,
      batchSize: 1000,
      numWorkers: 2,
      seed: 1,
      numOrganizations: 3,
      numActors: 10,
      numActorProfileChanges: 5,
      numCoursePublishes: 50,
      courseLengthDays: 120,
      startDate: Date.UTC(2014, 0, 1) / 86_400_000,
      endDate: Date.UTC(2023, 10, 27) / 86_400_000,
    });
    expect(config.courseSizes.map((s) => [s.name, s.count, s.makeup.forumPosts])).toEqual([
      ['small', 1, 20],
      ['medium', 1, 40],
      ['large', 1, 200],
      ['huge', 1, 1000],
    ]);
  });

  it('ships one example per backend', async () => {
    const files = await readdir(EXAMPLES);
    expect(files.sort()).toEqual(
      [
        'chdb.yaml',
        'clickhouse.yaml',
        'csv-s3.yaml',
        'legacy-1x.yaml',
        'ralph.yaml',
        'vector.yaml',
        'vector-aspects-6.yaml',
      ].sort(),
    );
  });

  it.each(['chdb', 'clickhouse', 'csv-s3', 'ralph', 'vector', 'vector-aspects-6'])(
    'loads configs/examples/%s.yaml',
    async (name) => {
      const lines: string[] = [];
      const config = await loadConfig(join(EXAMPLES, `${name}.yaml`), { env: {}, warn: (l) => lines.push(l) });
      expect(config.backend).toBe(name === 'csv-s3' ? 'csv' : name.split('-')[0]);
      expect(lines).toEqual([]);
    },
  );
});
