/** The schema files and their rendering, without an engine. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countRows, LOADED_TABLES } from '../src/clickhouse/counts.ts';
import {
  DEFAULT_SCHEMA_NAMES,
  dictionaryNames,
  renderSchema,
  SCHEMA_FILES,
  SCHEMA_SQL_DIR,
  type SchemaNames,
  splitStatements,
} from '../src/clickhouse/schema.ts';

describe('schema files', () => {
  it('lists every .sql file of the directory, in order', () => {
    const onDisk = readdirSync(fileURLToPath(SCHEMA_SQL_DIR))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect([...SCHEMA_FILES]).toEqual(onDisk);
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
