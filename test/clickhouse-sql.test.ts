/** The schema files and their rendering, without an engine. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ASPECTS_VERSIONS,
  aspectsModels,
  DEFAULT_ASPECTS_VERSION,
  isAspectsVersion,
  schemaFiles,
} from '../src/clickhouse/aspects-version.ts';
import { countRows, LOADED_TABLES } from '../src/clickhouse/counts.ts';
import {
  ASPECTS_DBT_VERSION,
  DEFAULT_SCHEMA_NAMES,
  dictionaryNames,
  mergeableTables,
  renderSchema,
  SCHEMA_FILES,
  SCHEMA_SQL_DIR,
  type SchemaNames,
  splitStatements,
} from '../src/clickhouse/schema.ts';

describe('schema files', () => {
  it('runs every .sql file of the directory in some aspects_version, each list in name order', () => {
    const onDisk = readdirSync(fileURLToPath(SCHEMA_SQL_DIR), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    const used = new Set(ASPECTS_VERSIONS.flatMap((v) => schemaFiles(v)));
    expect([...used].sort()).toEqual(onDisk);
    for (const version of ASPECTS_VERSIONS) {
      const files = schemaFiles(version);
      const byStep = [...files].sort((a, b) =>
        (a.split('/').at(-1) as string).localeCompare(b.split('/').at(-1) as string),
      );
      expect(files).toEqual(byStep);
      // A release's own files sit in its folder; no release reads another's.
      for (const file of files) if (file.includes('/')) expect(file.startsWith(`v${version}/`), file).toBe(true);
    }
    expect(SCHEMA_FILES).toEqual(schemaFiles(DEFAULT_ASPECTS_VERSION));
  });

  it('defaults to the newest aspects-dbt release', () => {
    expect(ASPECTS_VERSIONS).toEqual(['7.0.0', '8.0.0']);
    expect(DEFAULT_ASPECTS_VERSION).toBe('8.0.0');
    expect(ASPECTS_DBT_VERSION).toBe('v8.0.0');
    expect(isAspectsVersion('7.0.0')).toBe(true);
    expect(isAspectsVersion('v7.0.0')).toBe(false);
    expect(isAspectsVersion(8)).toBe(false);
  });

  it('knows which models each release has', () => {
    const v7 = aspectsModels('7.0.0');
    const v8 = aspectsModels('8.0.0');
    expect(aspectsModels()).toBe(v8);
    for (const model of [
      'dim_problem_responses',
      'dim_problem_results',
      'fact_video_engagement',
      'xapi_events_all_parsed',
    ])
      for (const models of [v7, v8]) expect(models.has(model), model).toBe(true);
    expect(v7.has('dim_subsection_performance')).toBe(true);
    expect(v8.has('dim_subsection_performance')).toBe(false);
    expect([...v7].filter((m) => !v8.has(m)).sort()).toEqual([
      'dim_subsection_performance',
      'dim_subsection_performance_mv',
    ]);
    expect([...v8].filter((m) => !v7.has(m))).toEqual([]);
    // Event-sink objects are not models of the xAPI or reporting databases.
    expect(v8.has('user_profile')).toBe(false);
  });

  it('renders the release in SchemaNames.aspectsVersion', () => {
    const v7 = renderSchema({ ...DEFAULT_SCHEMA_NAMES, aspectsVersion: '7.0.0' });
    const v8 = renderSchema({ ...DEFAULT_SCHEMA_NAMES, aspectsVersion: '8.0.0' });
    expect(renderSchema(DEFAULT_SCHEMA_NAMES).map((s) => s.sql)).toEqual(v8.map((s) => s.sql));
    const labels = (statements: typeof v7) => statements.map((s) => s.label);
    expect(labels(v7)).toContain('CREATE TABLE IF NOT EXISTS reporting.dim_subsection_performance');
    expect(labels(v8)).not.toContain('CREATE TABLE IF NOT EXISTS reporting.dim_subsection_performance');
    const responses = (statements: typeof v7) =>
      statements.find((s) => s.label === 'CREATE TABLE IF NOT EXISTS reporting.dim_problem_responses')?.sql ?? '';
    expect(responses(v7)).toMatch(/\bemission_time DateTime\b/);
    expect(responses(v8)).not.toMatch(/emission_time/);
    expect(v8.find((s) => s.label.endsWith('reporting.dim_problem_results_mv'))?.sql).toContain(
      'FROM reporting.dim_learner_last_response',
    );
    expect(mergeableTables({ ...DEFAULT_SCHEMA_NAMES, aspectsVersion: '7.0.0' })).toContain(
      'reporting.dim_subsection_performance',
    );
    expect(mergeableTables(DEFAULT_SCHEMA_NAMES)).not.toContain('reporting.dim_subsection_performance');
    expect(() => renderSchema({ ...DEFAULT_SCHEMA_NAMES, aspectsVersion: '9.0.0' as never })).toThrow(
      'aspectsVersion: got "9.0.0"; expected one of 7.0.0, 8.0.0',
    );
  });

  it('substitutes every placeholder and qualifies every object with a database', () => {
    const names: SchemaNames = { xapiDb: 'x1', eventSinkDb: 'e1', reportingDb: 'r1', rawTable: 'raw1' };
    const statements = renderSchema(names);
    for (const s of statements) expect(s.sql).not.toMatch(/\{\{|\}\}/);
    const created = statements.map((s) => s.label.split(' ').at(-1));
    for (const object of created) {
      if (object?.startsWith('get_org_from') || object?.startsWith('aspects_')) continue; // UDFs are server-wide
      expect(object).toMatch(/^(x1|e1|r1)\.|^(x1|e1|r1)$/);
    }
    expect(created).toContain('x1.raw1');
    expect(statements.some((s) => s.sql.includes('FROM x1.raw1'))).toBe(true);
  });

  it('has no TTL anywhere', () => {
    for (const s of renderSchema(DEFAULT_SCHEMA_NAMES)) expect(s.sql).not.toMatch(/\bTTL\b/i);
  });

  it('keeps the event-sink column orders of Aspects', () => {
    const sql = renderSchema(DEFAULT_SCHEMA_NAMES).find((s) => s.label.endsWith('event_sink.user_profile'))?.sql;
    const columns = [...(sql ?? '').matchAll(/^\s{2}(\w+) /gm)].map((m) => m[1]);
    expect(columns.slice(0, 6)).toEqual(['id', 'user_id', 'name', 'username', 'email', 'meta']);
    expect(columns.slice(-2)).toEqual(['dump_id', 'time_last_dumped']);
  });

  it('sends the UDF regex with escaped backslashes', () => {
    const udf = renderSchema(DEFAULT_SCHEMA_NAMES).find((s) => s.label.endsWith('get_org_from_course_url'));
    expect(udf?.sql).toContain(String.raw`'course-v1:([a-zA-Z0-9\\w\\-~.:%]*)'`);
  });

  it('puts the dictionary login in the SOURCE only, escaped', () => {
    const credentials = { username: 'ch_admin', password: String.raw`it's\a-Zq9-secret` };
    const statements = renderSchema(DEFAULT_SCHEMA_NAMES, { dictionaryCredentials: credentials });
    const dictionaries = statements.filter((s) => s.label.includes('DICTIONARY'));
    expect(dictionaries).toHaveLength(dictionaryNames(DEFAULT_SCHEMA_NAMES).length);
    for (const d of dictionaries) {
      expect(d.sql).toContain(String.raw`user 'ch_admin' password 'it\'s\\a-Zq9-secret'`);
      expect(d.label).not.toContain('Zq9');
    }
    expect(renderSchema(DEFAULT_SCHEMA_NAMES).filter((s) => s.sql.includes('password'))).toEqual([]);
  });

  it.each([
    { what: 'a name with a space', names: { ...DEFAULT_SCHEMA_NAMES, xapiDb: 'xapi db' }, key: 'xapiDb' },
    { what: 'an injected statement', names: { ...DEFAULT_SCHEMA_NAMES, eventSinkDb: 'e;DROP' }, key: 'eventSinkDb' },
    { what: 'a leading digit', names: { ...DEFAULT_SCHEMA_NAMES, reportingDb: '1r' }, key: 'reportingDb' },
    { what: 'a dotted table', names: { ...DEFAULT_SCHEMA_NAMES, rawTable: 'x.y' }, key: 'rawTable' },
  ])('rejects $what', ({ names, key }) => {
    expect(() => renderSchema(names)).toThrowError(new RegExp(`^Invalid schema names:\\n  - ${key}: got `));
  });

  it('validates names before counting', async () => {
    const client = { query: () => Promise.reject(new Error('must not be called')) };
    await expect(
      countRows(client as never, { ...DEFAULT_SCHEMA_NAMES, xapiDb: 'x; DROP TABLE y' }),
    ).rejects.toThrowError('Invalid schema name "x; DROP TABLE y"');
    expect(LOADED_TABLES).toHaveLength(8);
  });
});

describe('splitStatements', () => {
  it('splits on semicolons outside quotes, heredocs and comments', () => {
    const script = [
      "-- a comment; with 'quotes",
      "SELECT ';' AS a, 'it''s' AS b, 'x\\';y' AS c;",
      '/* block; comment */ SELECT `we;ird` FROM t;',
      "SELECT $$ heredoc ; with 'quote $$ AS h;",
      'SELECT $tag$ ; $tag$ AS t',
      '-- trailing comment only;',
    ].join('\n');
    expect(splitStatements(script)).toEqual([
      "SELECT ';' AS a, 'it''s' AS b, 'x\\';y' AS c",
      '/* block; comment */ SELECT `we;ird` FROM t',
      "SELECT $$ heredoc ; with 'quote $$ AS h",
      'SELECT $tag$ ; $tag$ AS t',
    ]);
  });
});
