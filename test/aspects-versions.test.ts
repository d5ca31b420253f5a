/**
 * What aspects-dbt v8.0.0 changed against v7.0.0, on one hand-made course loaded into a v7.0.0
 * and a v8.0.0 schema side by side (same engine, same statements, one INSERT each, so every
 * materialized view sees the course as one block). Expected rows are worked out by hand below.
 *
 * Outline: 1:1:1 Unit one (graded subsection seq1) holds p1 and p2; 2:1:1 Unit three (ungraded
 * seq3) holds p3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AspectsVersion, aspectsModels } from '../src/clickhouse/aspects-version.ts';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { dropSchema, type SchemaNames } from '../src/clickhouse/schema.ts';
import {
  type BlockSpec,
  blockId,
  evaluated,
  loadCourse,
  queryRows,
  uniqueSchemaNames,
} from './support/aspects-course.ts';

const P1 = blockId('problem', 'p1');
const P2 = blockId('problem', 'p2');
const P3 = blockId('problem', 'p3');

const BLOCKS: BlockSpec[] = [
  { location: blockId('course', 'course'), name: 'Demonstration Course', type: 'course', pos: [0, 0, 0] },
  { location: blockId('chapter', 'ch1'), name: 'Intro', type: 'chapter', pos: [1, 0, 0] },
  { location: blockId('sequential', 'seq1'), name: 'Graded work', type: 'sequential', pos: [1, 1, 0], graded: true },
  { location: blockId('vertical', 'u1'), name: 'Unit one', type: 'vertical', pos: [1, 1, 1], graded: true },
  { location: P1, name: 'Question one', type: 'problem', pos: [1, 1, 1], graded: true },
  { location: P2, name: 'Question two', type: 'problem', pos: [1, 1, 1], graded: true },
  { location: blockId('chapter', 'ch2'), name: 'Second', type: 'chapter', pos: [2, 0, 0] },
  { location: blockId('sequential', 'seq3'), name: 'Practice', type: 'sequential', pos: [2, 1, 0] },
  { location: blockId('vertical', 'u3'), name: 'Unit three', type: 'vertical', pos: [2, 1, 1] },
  { location: P3, name: 'Question three', type: 'problem', pos: [2, 1, 1] },
];

const A = '3b6f5d6f-aeea-4c46-b514-1d9f87708809';
const B = 'ec0e084d-f8c5-47a5-b03e-bcc3d50ac37c';
// Sorts before B: rows ordered by actor_id list C first.
const C = '5a0e4a3c-9d0f-4a43-9a57-2c3f7d0b6e11';

const STATEMENTS = [
  // A: p1 wrong then right; p2 right at once (a list answer).
  evaluated(A, '2023-04-15T11:00:00+00:00', P1, { attempt: 1, success: false, response: 'b', scaled: 0 }),
  evaluated(A, '2023-04-15T11:01:00+00:00', P1, { attempt: 2, success: true, response: 'a', scaled: 1 }),
  evaluated(A, '2023-04-15T11:02:00+00:00', P2, { attempt: 1, success: true, response: '["x", "y"]', scaled: 1 }),
  // B: p1 wrong; p3 wrong.
  evaluated(B, '2023-04-17T11:00:00+00:00', P1, { attempt: 1, success: false, response: 'c', scaled: 0 }),
  evaluated(B, '2023-04-17T11:01:00+00:00', P3, { attempt: 1, success: false, response: 'z', scaled: 0 }),
  // C: p2 right first ("x", a day after A), then wrong on the second attempt; p3 wrong with B's answer.
  evaluated(C, '2023-04-18T09:00:00+00:00', P2, { attempt: 1, success: true, response: '["x"]', scaled: 1 }),
  evaluated(C, '2023-04-18T09:05:00+00:00', P2, { attempt: 2, success: false, response: '["y"]', scaled: 0 }),
  evaluated(C, '2023-04-18T09:10:00+00:00', P3, { attempt: 1, success: false, response: 'z', scaled: 0 }),
];

const schemas: Record<AspectsVersion, SchemaNames> = {
  '7.0.0': { ...uniqueSchemaNames(), aspectsVersion: '7.0.0' },
  '8.0.0': { ...uniqueSchemaNames(), aspectsVersion: '8.0.0' },
};

let ch: ClickHouse;
const rows = <T = Record<string, unknown>>(query: string): Promise<T[]> => queryRows<T>(ch, query);

beforeAll(async () => {
  ch = await createClickHouse({ kind: 'embedded' });
  for (const names of Object.values(schemas)) {
    await loadCourse(ch, names, { blocks: BLOCKS, actors: [A, B, C], statements: STATEMENTS });
  }
}, 120_000);

afterAll(async () => {
  if (ch) {
    for (const names of Object.values(schemas)) await dropSchema(ch, names);
    await ch.close();
  }
});

const results = (version: AspectsVersion) =>
  rows(
    `SELECT block_id_short, actor_id, success, attempts, problem_name_location
     FROM ${schemas[version].reportingDb}.dim_problem_results ORDER BY block_id_short, actor_id`,
  );

const responses = (version: AspectsVersion) =>
  rows(
    `SELECT block_id_short, response, success, toUInt32(response_count) AS n
     FROM ${schemas[version].reportingDb}.dim_problem_responses ORDER BY block_id_short, response`,
  );

/** Problem labels as aspects-dbt writes them: outline parts left-padded to 2 with char(8). */
const label = (outline: string, name: string): string =>
  `${outline
    .split(':')
    .map((part) => part.padStart(2, '\b'))
    .join(':')}_1 - ${name}`;
const Q1 = label('1:1:1', 'Question one');
const Q2 = label('1:1:1', 'Question two');
const Q3 = label('2:1:1', 'Question three');

describe('dim_problem_results', () => {
  it("v7.0.0: each learner's FIRST correct answer; a problem nobody got right keeps one empty row", async () => {
    // p1: only A was right (attempt 2). p2: A (attempt 1) and C (attempt 1, before their wrong
    // attempt 2). p3: nobody → one row with an empty learner.
    expect(await results('7.0.0')).toEqual([
      { block_id_short: 'p1', actor_id: A, success: true, attempts: 2, problem_name_location: Q1 },
      { block_id_short: 'p2', actor_id: A, success: true, attempts: 1, problem_name_location: Q2 },
      { block_id_short: 'p2', actor_id: C, success: true, attempts: 1, problem_name_location: Q2 },
      { block_id_short: 'p3', actor_id: '', success: false, attempts: 0, problem_name_location: Q3 },
    ]);
  });

  it("v8.0.0: every learner's LAST response, right or wrong", async () => {
    // p1: A last = attempt 2 right, B last = attempt 1 wrong. p2: A attempt 1 right; C's last is
    // attempt 2, wrong (v7 counted C right). p3: B and C wrong at attempt 1 (v7: one empty row).
    expect(await results('8.0.0')).toEqual([
      { block_id_short: 'p1', actor_id: A, success: true, attempts: 2, problem_name_location: Q1 },
      { block_id_short: 'p1', actor_id: B, success: false, attempts: 1, problem_name_location: Q1 },
      { block_id_short: 'p2', actor_id: A, success: true, attempts: 1, problem_name_location: Q2 },
      { block_id_short: 'p2', actor_id: C, success: false, attempts: 2, problem_name_location: Q2 },
      { block_id_short: 'p3', actor_id: C, success: false, attempts: 1, problem_name_location: Q3 },
      { block_id_short: 'p3', actor_id: B, success: false, attempts: 1, problem_name_location: Q3 },
    ]);
  });
});

describe('dim_problem_responses', () => {
  it('v7.0.0: counted per emission time, so equal first answers at different times collapse to 1', async () => {
    // First responses: p1 A "b", B "c"; p2 A "x","y", C "x"; p3 B "z", C "z". A's and C's "x"
    // (and B's and C's "z") differ in emission_time: two rows of count 1 each, which the
    // ReplacingMergeTree key (course, problem, response) merges into one row of count 1.
    expect(await responses('7.0.0')).toEqual([
      { block_id_short: 'p1', response: 'b', success: false, n: 1 },
      { block_id_short: 'p1', response: 'c', success: false, n: 1 },
      { block_id_short: 'p2', response: 'x', success: true, n: 1 },
      { block_id_short: 'p2', response: 'y', success: true, n: 1 },
      { block_id_short: 'p3', response: 'z', success: false, n: 1 },
    ]);
  });

  it('v8.0.0: no emission_time, so learners giving the same first answer add up', async () => {
    expect(await responses('8.0.0')).toEqual([
      { block_id_short: 'p1', response: 'b', success: false, n: 1 },
      { block_id_short: 'p1', response: 'c', success: false, n: 1 },
      { block_id_short: 'p2', response: 'x', success: true, n: 2 },
      { block_id_short: 'p2', response: 'y', success: true, n: 1 },
      { block_id_short: 'p3', response: 'z', success: false, n: 2 },
    ]);
    const columns = await rows<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = '${schemas['8.0.0'].reportingDb}' AND table = 'dim_problem_responses' ORDER BY position`,
    );
    expect(columns.map((c) => c.name)).toEqual([
      'org',
      'course_key',
      'block_id_short',
      'response',
      'success',
      'interaction_type',
      'problem_number',
      'problem_name_location',
      'response_count',
    ]);
  });
});

describe('dim_subsection_performance', () => {
  it('exists in v7.0.0 only', async () => {
    const tables = async (version: AspectsVersion) =>
      (
        await rows<{ name: string }>(
          `SELECT name FROM system.tables WHERE database = '${schemas[version].reportingDb}' AND name LIKE 'dim_subsection_%' ORDER BY name`,
        )
      ).map((t) => t.name);
    // seq1 holds the graded p1 and p2: A averages (1 + 1) / 2, B 0 / 1, C 0 (last response) → 0%, >90%.
    expect(
      await rows(
        `SELECT block_id, score_range, toUInt32(score_range_count) AS n
         FROM ${schemas['7.0.0'].reportingDb}.dim_subsection_performance ORDER BY score_range`,
      ),
    ).toEqual([
      { block_id: 'seq1', score_range: '0%', n: 2 },
      { block_id: 'seq1', score_range: '>90%', n: 1 },
    ]);
    expect(await tables('7.0.0')).toEqual([
      'dim_subsection_performance',
      'dim_subsection_performance_mv',
      'dim_subsection_problem_results',
      'dim_subsection_problem_results_mv',
    ]);
    expect(await tables('8.0.0')).toEqual(['dim_subsection_problem_results', 'dim_subsection_problem_results_mv']);
  });

  it('matches what aspectsModels says each release has', async () => {
    for (const version of ['7.0.0', '8.0.0'] as const) {
      const names = schemas[version];
      const created = await rows<{ name: string }>(
        `SELECT name FROM system.tables WHERE database IN ('${names.xapiDb}', '${names.reportingDb}') ORDER BY name`,
      );
      // The raw table is named by the config (event_raw_table_name), not a model.
      const models = created.map((t) => t.name).filter((name) => name !== names.rawTable);
      expect(new Set(models)).toEqual(aspectsModels(version));
    }
  });
});
