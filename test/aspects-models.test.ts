/**
 * The dashboard models of aspects-dbt v7.0.0 on a hand-made course whose answers are worked out
 * below by hand (each expectation says how). Real engine (chdb), real materialized views; every
 * statement goes in one INSERT, so each materialized view sees the whole course as one block.
 *
 * Outline (order = position in BLOCKS):
 *   1:0:0 Intro (ch1)
 *     1:1:0 Graded work (seq1, graded) ─ 1:1:1 Unit one: Question one (p1), Question two (p2), Video one (v1)
 *                                      └ 1:1:2 Unit two: Video two (v2)
 *     1:2:0 Empty (seq2): no units
 *   2:0:0 Second (ch2)
 *     2:1:0 Practice (seq3) ─ 2:1:1 Unit three: Question three (p3, ungraded), Video three (v3)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { dropSchema } from '../src/clickhouse/schema.ts';
import {
  type BlockSpec,
  blockId,
  COURSE_KEY,
  evaluated,
  loadCourse,
  navigated,
  queryRows,
  uniqueSchemaNames,
  videoEvent,
} from './support/aspects-course.ts';

// The v7.0.0 semantics (dim_subsection_performance, first-success results); what v8.0.0
// changes is in aspects-versions.test.ts.
const names = { ...uniqueSchemaNames(), aspectsVersion: '7.0.0' as const };
const r = names.reportingDb;

const CH1 = blockId('chapter', 'ch1');
const SEQ1 = blockId('sequential', 'seq1');
const SEQ2 = blockId('sequential', 'seq2');
const CH2 = blockId('chapter', 'ch2');
const SEQ3 = blockId('sequential', 'seq3');
const P1 = blockId('problem', 'p1');
const P2 = blockId('problem', 'p2');
const P3 = blockId('problem', 'p3');
const V1 = blockId('video', 'v1');
const V2 = blockId('video', 'v2');
const V3 = blockId('video', 'v3');

const BLOCKS: BlockSpec[] = [
  { location: blockId('course', 'course'), name: 'Demonstration Course', type: 'course', pos: [0, 0, 0] },
  { location: CH1, name: 'Intro', type: 'chapter', pos: [1, 0, 0] },
  { location: SEQ1, name: 'Graded work', type: 'sequential', pos: [1, 1, 0], graded: true },
  { location: blockId('vertical', 'u1'), name: 'Unit one', type: 'vertical', pos: [1, 1, 1], graded: true },
  { location: P1, name: 'Question one', type: 'problem', pos: [1, 1, 1], graded: true },
  { location: P2, name: 'Question two', type: 'problem', pos: [1, 1, 1], graded: true },
  { location: V1, name: 'Video one', type: 'video', pos: [1, 1, 1], graded: true },
  { location: blockId('vertical', 'u2'), name: 'Unit two', type: 'vertical', pos: [1, 1, 2], graded: true },
  { location: V2, name: 'Video two', type: 'video', pos: [1, 1, 2], graded: true },
  { location: SEQ2, name: 'Empty', type: 'sequential', pos: [1, 2, 0] },
  { location: CH2, name: 'Second', type: 'chapter', pos: [2, 0, 0] },
  { location: SEQ3, name: 'Practice', type: 'sequential', pos: [2, 1, 0] },
  { location: blockId('vertical', 'u3'), name: 'Unit three', type: 'vertical', pos: [2, 1, 1] },
  { location: P3, name: 'Question three', type: 'problem', pos: [2, 1, 1] },
  { location: V3, name: 'Video three', type: 'video', pos: [2, 1, 1] },
];
const ORDER_SEQ1 = 3;
const ORDER_SEQ3 = 12;

const A = '3b6f5d6f-aeea-4c46-b514-1d9f87708809';
const B = 'ec0e084d-f8c5-47a5-b03e-bcc3d50ac37c';

const STATEMENTS = [
  // A visits seq1 on two days, the unit-less seq2 and seq3; B visits seq1.
  navigated(A, '2023-04-15T10:00:00+00:00', SEQ1),
  navigated(A, '2023-04-16T10:00:00+00:00', SEQ1),
  navigated(A, '2023-04-16T10:05:00+00:00', SEQ2),
  navigated(A, '2023-04-16T10:10:00+00:00', SEQ3),
  navigated(B, '2023-04-17T10:00:00+00:00', SEQ1),
  // A: p1 wrong then right, p2 right first time (a list answer). B: p1 wrong, p3 wrong.
  evaluated(A, '2023-04-15T11:00:00+00:00', P1, { attempt: 1, success: false, response: 'b', scaled: 0 }),
  evaluated(A, '2023-04-15T11:01:00+00:00', P1, { attempt: 2, success: true, response: 'a', scaled: 1 }),
  evaluated(A, '2023-04-15T11:02:00+00:00', P2, { attempt: 1, success: true, response: '["x", "y"]', scaled: 1 }),
  evaluated(B, '2023-04-17T11:00:00+00:00', P1, { attempt: 1, success: false, response: 'c', scaled: 0 }),
  evaluated(B, '2023-04-17T11:01:00+00:00', P3, { attempt: 1, success: false, response: 'z', scaled: 0 }),
  // A watches seconds 1-10 of v1; B watches v2 and v1. Nobody watches v3.
  videoEvent(A, '2023-04-15T12:00:00+00:00', V1, 'played', 0),
  videoEvent(A, '2023-04-15T12:00:10+00:00', V1, 'paused', 10),
  videoEvent(B, '2023-04-17T12:00:00+00:00', V2, 'played', 0),
  videoEvent(B, '2023-04-17T12:00:05+00:00', V2, 'paused', 5),
  videoEvent(B, '2023-04-17T12:01:00+00:00', V1, 'played', 0),
  videoEvent(B, '2023-04-17T12:01:03+00:00', V1, 'paused', 3),
];

/** The outline number as aspects-dbt writes it: each part left-padded to 2 with char(8). */
const pad = (outline: string): string =>
  outline
    .split(':')
    .map((part) => part.padStart(2, '\b'))
    .join(':');

let ch: ClickHouse;
const rows = <T = Record<string, unknown>>(query: string): Promise<T[]> => queryRows<T>(ch, query);

beforeAll(async () => {
  ch = await createClickHouse({ kind: 'embedded' });
  await loadCourse(ch, names, { blocks: BLOCKS, actors: [A, B], statements: STATEMENTS });
}, 60_000);

afterAll(async () => {
  if (ch) {
    await dropSchema(ch, names);
    await ch.close();
  }
});

describe('aspects-dbt v7.0.0 dashboard models', () => {
  it('fact_navigation_completion: course_order of the subsection, unit-less subsections left out', async () => {
    // seq2 has no unit, so A's visit there is dropped; seq1 holds 2 units, seq3 one.
    expect(
      await rows(
        `SELECT actor_id, block_id, course_order, toUInt32(page_count) AS page_count, toString(visited_on) AS visited_on,
                section_block_id, subsection_with_name
         FROM ${r}.fact_navigation_completion ORDER BY actor_id, block_id`,
      ),
    ).toEqual([
      {
        actor_id: A,
        block_id: SEQ1,
        course_order: ORDER_SEQ1,
        page_count: 2,
        visited_on: '2023-04-16',
        section_block_id: CH1,
        subsection_with_name: '1:1:0 - Graded work',
      },
      {
        actor_id: A,
        block_id: SEQ3,
        course_order: ORDER_SEQ3,
        page_count: 1,
        visited_on: '2023-04-16',
        section_block_id: CH2,
        subsection_with_name: '2:1:0 - Practice',
      },
      {
        actor_id: B,
        block_id: SEQ1,
        course_order: ORDER_SEQ1,
        page_count: 2,
        visited_on: '2023-04-17',
        section_block_id: CH1,
        subsection_with_name: '1:1:0 - Graded work',
      },
    ]);
  });

  it('fact_pageview_engagement: one visited block of 2 pages is "at least one", of 1 page "all"', async () => {
    expect(
      await rows(
        `SELECT username, content_level, section_subsection_name, section_subsection_page_engagement AS engagement
         FROM ${r}.fact_pageview_engagement ORDER BY username, section_subsection_name`,
      ),
    ).toEqual([
      {
        username: 'learner1',
        content_level: 'section',
        section_subsection_name: '1:0:0 - Intro',
        engagement: 'At least one page viewed',
      },
      {
        username: 'learner1',
        content_level: 'subsection',
        section_subsection_name: '1:1:0 - Graded work',
        engagement: 'At least one page viewed',
      },
      {
        username: 'learner1',
        content_level: 'section',
        section_subsection_name: '2:0:0 - Second',
        engagement: 'All pages viewed',
      },
      {
        username: 'learner1',
        content_level: 'subsection',
        section_subsection_name: '2:1:0 - Practice',
        engagement: 'All pages viewed',
      },
      {
        username: 'learner2',
        content_level: 'section',
        section_subsection_name: '1:0:0 - Intro',
        engagement: 'At least one page viewed',
      },
      {
        username: 'learner2',
        content_level: 'subsection',
        section_subsection_name: '1:1:0 - Graded work',
        engagement: 'At least one page viewed',
      },
    ]);
  });

  it('fact_problem_engagement: A tried both problems of seq1, B one of two and the only one of seq3', async () => {
    expect(
      await rows(
        `SELECT username, block_id, content_level, section_subsection_problem_engagement AS engagement
         FROM ${r}.fact_problem_engagement ORDER BY username, section_subsection_name`,
      ),
    ).toEqual([
      { username: 'learner1', block_id: CH1, content_level: 'section', engagement: 'All problems attempted' },
      { username: 'learner1', block_id: SEQ1, content_level: 'subsection', engagement: 'All problems attempted' },
      { username: 'learner2', block_id: CH1, content_level: 'section', engagement: 'At least one problem attempted' },
      {
        username: 'learner2',
        block_id: SEQ1,
        content_level: 'subsection',
        engagement: 'At least one problem attempted',
      },
      { username: 'learner2', block_id: CH2, content_level: 'section', engagement: 'All problems attempted' },
      { username: 'learner2', block_id: SEQ3, content_level: 'subsection', engagement: 'All problems attempted' },
    ]);
  });

  it('fact_video_engagement: A saw 1 of 2 videos of seq1, B both; nobody saw seq3 (empty learner)', async () => {
    expect(
      await rows(
        `SELECT actor_id, username, block_id, content_level, section_subsection_video_engagement AS engagement
         FROM ${r}.fact_video_engagement ORDER BY actor_id, section_subsection_name`,
      ),
    ).toEqual([
      { actor_id: '', username: '', block_id: CH2, content_level: 'section', engagement: 'No videos viewed yet' },
      { actor_id: '', username: '', block_id: SEQ3, content_level: 'subsection', engagement: 'No videos viewed yet' },
      {
        actor_id: A,
        username: 'learner1',
        block_id: CH1,
        content_level: 'section',
        engagement: 'At least one video viewed',
      },
      {
        actor_id: A,
        username: 'learner1',
        block_id: SEQ1,
        content_level: 'subsection',
        engagement: 'At least one video viewed',
      },
      { actor_id: B, username: 'learner2', block_id: CH1, content_level: 'section', engagement: 'All videos viewed' },
      {
        actor_id: B,
        username: 'learner2',
        block_id: SEQ1,
        content_level: 'subsection',
        engagement: 'All videos viewed',
      },
    ]);
  });

  it('dim_problem_responses: first answers, a list answer split into its items', async () => {
    // First attempts: A p1 "b" (wrong), A p2 ["x", "y"] (right), B p1 "c", B p3 "z" (wrong).
    expect(
      await rows(
        `SELECT block_id_short, response, success, toUInt32(response_count) AS n, problem_number, problem_name_location
         FROM ${r}.dim_problem_responses ORDER BY block_id_short, response`,
      ),
    ).toEqual([
      {
        block_id_short: 'p1',
        response: 'b',
        success: false,
        n: 1,
        problem_number: `${pad('1:1:1')}_1`,
        problem_name_location: `${pad('1:1:1')}_1 - Question one`,
      },
      {
        block_id_short: 'p1',
        response: 'c',
        success: false,
        n: 1,
        problem_number: `${pad('1:1:1')}_1`,
        problem_name_location: `${pad('1:1:1')}_1 - Question one`,
      },
      {
        block_id_short: 'p2',
        response: 'x',
        success: true,
        n: 1,
        problem_number: `${pad('1:1:1')}_1`,
        problem_name_location: `${pad('1:1:1')}_1 - Question two`,
      },
      {
        block_id_short: 'p2',
        response: 'y',
        success: true,
        n: 1,
        problem_number: `${pad('1:1:1')}_1`,
        problem_name_location: `${pad('1:1:1')}_1 - Question two`,
      },
      {
        block_id_short: 'p3',
        response: 'z',
        success: false,
        n: 1,
        problem_number: `${pad('2:1:1')}_1`,
        problem_name_location: `${pad('2:1:1')}_1 - Question three`,
      },
    ]);
  });

  it('dim_problem_results: the attempt of each first correct answer; nobody right on p3', async () => {
    expect(
      await rows(
        `SELECT block_id_short, actor_id, success, attempts FROM ${r}.dim_problem_results ORDER BY block_id_short, actor_id`,
      ),
    ).toEqual([
      { block_id_short: 'p1', actor_id: A, success: true, attempts: 2 },
      { block_id_short: 'p2', actor_id: A, success: true, attempts: 1 },
      { block_id_short: 'p3', actor_id: '', success: false, attempts: 0 },
    ]);
  });

  it('dim_problem_coursewide_avg: attempts until right / while wrong, per learner and averaged', async () => {
    // p1: A right at attempt 2 (2, 0), B wrong at attempt 1 (0, 1) → averages 1 and 0.5, 50 % right.
    expect(
      await rows(
        `SELECT problem_id, actor_id, correct_attempts_by_learner AS c, incorrect_attempts_by_learner AS i,
                avg_correct_attempts_coursewide AS avg_c, avg_incorrect_attempts_coursewide AS avg_i,
                coursewide_percent_correct AS pct, selected_learner_percent_correct AS sel_c,
                selected_learner_percent_incorrect AS sel_i, graded, course_order
         FROM ${r}.dim_problem_coursewide_avg ORDER BY problem_id, actor_id`,
      ),
    ).toEqual([
      {
        problem_id: P1,
        actor_id: A,
        c: 2,
        i: 0,
        avg_c: 1,
        avg_i: 0.5,
        pct: 0.5,
        sel_c: 1,
        sel_i: 0,
        graded: true,
        course_order: 5,
      },
      {
        problem_id: P1,
        actor_id: B,
        c: 0,
        i: 1,
        avg_c: 1,
        avg_i: 0.5,
        pct: 0.5,
        sel_c: 0,
        sel_i: 1,
        graded: true,
        course_order: 5,
      },
      {
        problem_id: P2,
        actor_id: A,
        c: 1,
        i: 0,
        avg_c: 1,
        avg_i: 0,
        pct: 1,
        sel_c: 1,
        sel_i: 0,
        graded: true,
        course_order: 6,
      },
      {
        problem_id: P3,
        actor_id: B,
        c: 0,
        i: 1,
        avg_c: 0,
        avg_i: 1,
        pct: 0,
        sel_c: 0,
        sel_i: 1,
        graded: false,
        course_order: 14,
      },
    ]);
  });

  it('dim_subsection_problem_results: graded problems only, under their subsection', async () => {
    expect(
      await rows(
        `SELECT block_id_short, problem_id, actor_id, success, scaled_score, subsection_number, subsection_with_name
         FROM ${r}.dim_subsection_problem_results ORDER BY problem_id, actor_id`,
      ),
    ).toEqual([
      {
        block_id_short: 'seq1',
        problem_id: P1,
        actor_id: A,
        success: true,
        scaled_score: 1,
        subsection_number: pad('1:1:0'),
        subsection_with_name: `${pad('1:1:0')} - Graded work`,
      },
      {
        block_id_short: 'seq1',
        problem_id: P1,
        actor_id: B,
        success: false,
        scaled_score: 0,
        subsection_number: pad('1:1:0'),
        subsection_with_name: `${pad('1:1:0')} - Graded work`,
      },
      {
        block_id_short: 'seq1',
        problem_id: P2,
        actor_id: A,
        success: true,
        scaled_score: 1,
        subsection_number: pad('1:1:0'),
        subsection_with_name: `${pad('1:1:0')} - Graded work`,
      },
    ]);
  });

  it('dim_subsection_performance: A averages 100 % (>90%), B 0 %; the subsection 2/3', async () => {
    expect(
      await rows(
        `SELECT block_id, score_range, toUInt32(score_range_count) AS n, total_avg
         FROM ${r}.dim_subsection_performance ORDER BY score_range`,
      ),
    ).toEqual([
      { block_id: 'seq1', score_range: '0%', n: 1, total_avg: 0.67 },
      { block_id: 'seq1', score_range: '>90%', n: 1, total_avg: 0.67 },
    ]);
  });
});

describe('dim_student_status grade_bucket (aspects-dbt v7.0.0: Float32 grade, no rounding)', () => {
  // Float32 of 0.1 … 0.9: 0.1, 0.2, 0.3, 0.4, 0.6 and 0.8 are stored a hair above the bound,
  // 0.7 (0.69999999) and 0.9 (0.89999998) a hair below, so those two land one bucket lower.
  const cases: [number, string][] = [
    [0, '0-9%'],
    [0.0999, '0-9%'],
    [0.1, '10-19%'],
    [0.2, '20-29%'],
    [0.3, '30-39%'],
    [0.4, '40-49%'],
    [0.5, '50-59%'],
    [0.6, '60-69%'],
    [0.7, '60-69%'],
    [0.8, '80-89%'],
    [0.9, '80-89%'],
    [0.9001, '90-100%'],
    [1, '90-100%'],
  ];

  it.each(cases)('grade %s → %s', async (grade, bucket) => {
    const learner = `grade-${grade}`;
    const time = '2023-05-01 00:00:00';
    await ch.client.insert({
      table: `${r}.dim_most_recent_enrollment`,
      values: [
        {
          org: 'Org0',
          course_key: COURSE_KEY,
          actor_id: learner,
          enrollment_status: 'registered',
          enrollment_mode: 'audit',
          emission_time: time,
        },
      ],
      format: 'JSONEachRow',
    });
    await ch.client.insert({
      table: `${r}.dim_learner_most_recent_course_grade`,
      values: [{ org: 'Org0', course_key: COURSE_KEY, actor_id: learner, course_grade: grade, emission_time: time }],
      format: 'JSONEachRow',
    });
    expect(await rows(`SELECT grade_bucket FROM ${r}.dim_student_status WHERE actor_id = '${learner}'`)).toEqual([
      { grade_bucket: bucket },
    ]);
  });
});

describe('PII of mailto: actors (aspects-dbt v7.0.0/v8.0.0 join by external id or by email)', () => {
  // learner2's xAPI external id is B; a statement may still name them by mbox. Hand-worked:
  // B and mailto:learner2@… are both learner2; an unknown address has no PII (empty strings).
  it('dim_student_status finds a mailto: actor by email even when the learner has an external id', async () => {
    const actors = [B, 'mailto:learner2@aspects.invalid', 'mailto:stranger@aspects.invalid'];
    await ch.client.insert({
      table: `${r}.dim_most_recent_enrollment`,
      values: actors.map((actor_id) => ({
        org: 'Org0',
        course_key: COURSE_KEY,
        actor_id,
        enrollment_status: 'registered',
        enrollment_mode: 'audit',
        emission_time: '2023-05-01 00:00:00',
      })),
      format: 'JSONEachRow',
    });
    expect(
      await rows(
        `SELECT actor_id, username, email FROM ${r}.dim_student_status
         WHERE actor_id IN (${actors.map((a) => `'${a}'`).join(', ')}) ORDER BY actor_id`,
      ),
    ).toEqual([
      { actor_id: B, username: 'learner2', email: 'learner2@aspects.invalid' },
      { actor_id: 'mailto:learner2@aspects.invalid', username: 'learner2', email: 'learner2@aspects.invalid' },
      { actor_id: 'mailto:stranger@aspects.invalid', username: '', email: '' },
    ]);
  });
});
