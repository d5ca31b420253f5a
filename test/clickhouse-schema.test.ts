/**
 * The Aspects schema on the embedded engine (chdb): real SQL, real materialized views.
 * One chdb data directory per process, so every test here shares `:memory:`; each run uses
 * its own randomly named databases.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { countRows } from '../src/clickhouse/counts.ts';
import { dropSchema, initSchema, optimizeFinal, reloadDictionaries } from '../src/clickhouse/schema.ts';
import {
  type BlockSpec,
  blockId as block,
  COURSE_KEY,
  courseBlockRows,
  courseGrade,
  courseOverviewRow,
  DUMPED,
  evaluated as evaluatedAnswer,
  externalIdRows,
  insertSink as insertSinkRows,
  insertStatements as insertStatementRows,
  LMS,
  navigated as navigatedTo,
  profileRows,
  queryRows,
  registered,
  type Statement,
  uniqueSchemaNames,
  videoEvent,
} from './support/aspects-course.ts';

const names = uniqueSchemaNames();

const ACTOR_A = '3b6f5d6f-aeea-4c46-b514-1d9f87708809';
const ACTOR_B = 'ec0e084d-f8c5-47a5-b03e-bcc3d50ac37c';
const CHAPTER = block('chapter', 'ch1');
const SEQUENTIAL = block('sequential', 'seq1');
const VERTICAL = block('vertical', 'vert1');
const PROBLEM = block('problem', 'prob1');
const VIDEO = block('video', 'vid1');

const BLOCKS: BlockSpec[] = [
  { location: block('course', 'course'), name: 'Demonstration Course', type: 'course', pos: [0, 0, 0] },
  { location: CHAPTER, name: 'Introduction', type: 'chapter', pos: [1, 0, 0] },
  { location: SEQUENTIAL, name: 'First steps', type: 'sequential', pos: [1, 1, 0] },
  { location: VERTICAL, name: 'Unit one', type: 'vertical', pos: [1, 1, 1] },
  { location: PROBLEM, name: 'Checkpoint', type: 'problem', pos: [1, 1, 1], graded: true },
  { location: VIDEO, name: 'Welcome video', type: 'video', pos: [1, 1, 1] },
];
const courseBlocks = courseBlockRows(BLOCKS);

function evaluated(actorId: string, timestamp: string, attempt: number, success: boolean): Statement {
  const response = success ? 'A correct answer' : 'An incorrect answer';
  return evaluatedAnswer(actorId, timestamp, PROBLEM, { attempt, success, response, scaled: success ? 1 : 0 });
}
const navigated = (actorId: string, timestamp: string): Statement => navigatedTo(actorId, timestamp, SEQUENTIAL);
const video = (actorId: string, timestamp: string, verb: 'played' | 'paused', time: number): Statement =>
  videoEvent(actorId, timestamp, VIDEO, verb, time);

const STATEMENTS: Statement[] = [
  registered(ACTOR_A, '2023-04-13T14:06:31+00:00', 'audit'),
  registered(ACTOR_B, '2023-04-14T09:00:00+00:00', 'verified'),
  navigated(ACTOR_A, '2023-04-15T10:00:00+00:00'),
  video(ACTOR_A, '2023-04-15T10:01:00+00:00', 'played', 0),
  video(ACTOR_A, '2023-04-15T10:01:10+00:00', 'paused', 10),
  video(ACTOR_A, '2023-04-15T10:02:00+00:00', 'played', 5),
  video(ACTOR_A, '2023-04-15T10:02:10+00:00', 'paused', 15),
  evaluated(ACTOR_A, '2023-04-15T10:05:00+00:00', 1, false),
  evaluated(ACTOR_A, '2023-04-15T10:06:00+00:00', 2, true),
  evaluated(ACTOR_B, '2023-04-16T08:00:00+00:00', 1, true),
  courseGrade(ACTOR_A, '2023-04-20T00:00:00+00:00', 0.9, 'Pass'),
];

// ---- helpers ------------------------------------------------------------------------------------

let ch: ClickHouse;

const rows = <T>(query: string): Promise<T[]> => queryRows<T>(ch, query);

async function count(table: string, where = '1'): Promise<number> {
  const [row] = await rows<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE ${where}`);
  return Number(row?.n);
}

const insertSink = (table: string, values: readonly Record<string, unknown>[]) =>
  insertSinkRows(ch, names, table, values);
const insertStatements = (statements: readonly Statement[]) => insertStatementRows(ch, names, statements);

beforeAll(async () => {
  ch = await createClickHouse({ kind: 'embedded' });
});

afterAll(async () => {
  if (ch) {
    await dropSchema(ch, names);
    await ch.close();
  }
});

describe('Aspects schema on the embedded engine', () => {
  it('is created twice without error', async () => {
    await initSchema(ch, names);
    await initSchema(ch, names);
    const tables = await rows<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = '${names.xapiDb}' ORDER BY name`,
    );
    expect(tables.map((t) => t.name)).toContain('xapi_events_all_parsed');
  });

  it('loads event sink → dictionaries → xAPI and fills the parsed, domain and reporting tables', async () => {
    await insertSink('course_overviews', [courseOverviewRow()]);
    await insertSink('course_blocks', courseBlocks);
    await insertSink('user_profile', profileRows([ACTOR_A, ACTOR_B]));
    await insertSink('external_id', externalIdRows([ACTOR_A, ACTOR_B]));
    await insertSink('taxonomy', [{ id: 1, name: 'Subjects', dump_id: randomUUID(), time_last_dumped: DUMPED }]);
    await insertSink('tag', [
      {
        id: 1,
        taxonomy: 1,
        parent: 0,
        value: 'Science',
        external_id: '',
        lineage: '["Science"]',
        dump_id: randomUUID(),
        time_last_dumped: DUMPED,
      },
    ]);
    await reloadDictionaries(ch, names);
    await insertStatements(STATEMENTS);

    const x = names.xapiDb;
    const r = names.reportingDb;
    // Parsed agrees with raw.
    expect(await count(`${x}.xapi_events_all_parsed`)).toBe(STATEMENTS.length);
    const parsed = await rows<{ org: string; course_key: string; actor_id: string }>(
      `SELECT DISTINCT org, course_key FROM ${x}.xapi_events_all_parsed`,
    );
    expect(parsed).toEqual([{ org: 'Org0', course_key: COURSE_KEY }]);

    // registered statements = enrollment rows.
    expect(await count(`${x}.enrollment_events`)).toBe(2);
    expect(
      await rows(`SELECT actor_id, enrollment_mode, enrollment_status FROM ${x}.enrollment_events ORDER BY actor_id`),
    ).toEqual([
      { actor_id: ACTOR_A, enrollment_mode: 'audit', enrollment_status: 'registered' },
      { actor_id: ACTOR_B, enrollment_mode: 'verified', enrollment_status: 'registered' },
    ]);

    // evaluated → problem_events with attempts and success; grading_events gets them too.
    expect(
      await rows(`SELECT actor_id, problem_id, attempts, success FROM ${x}.problem_events ORDER BY actor_id, attempts`),
    ).toEqual([
      { actor_id: ACTOR_A, problem_id: PROBLEM, attempts: 1, success: false },
      { actor_id: ACTOR_A, problem_id: PROBLEM, attempts: 2, success: true },
      { actor_id: ACTOR_B, problem_id: PROBLEM, attempts: 1, success: true },
    ]);
    expect(await count(`${x}.grading_events`)).toBe(4);
    expect(await count(`${x}.navigation_events`)).toBe(1);
    expect(await count(`${x}.video_playback_events`)).toBe(4);

    // Course dims: block names, outline position, graded flag from xblock_data_json.
    const blocks = await rows<{ block_id: string; block_name: string; block_type: string; graded: boolean }>(
      `SELECT block_id, block_name, block_type, graded, section_with_name, subsection_with_name, course_name
       FROM ${r}.dim_course_blocks WHERE block_id IN ('${PROBLEM}', '${SEQUENTIAL}') ORDER BY course_order`,
    );
    expect(blocks).toEqual([
      {
        block_id: SEQUENTIAL,
        block_name: 'First steps',
        block_type: 'subsection',
        graded: false,
        section_with_name: '1:0:0 - Introduction',
        subsection_with_name: '1:1:0 - First steps',
        course_name: 'Demonstration Course',
      },
      {
        block_id: PROBLEM,
        block_name: 'Checkpoint',
        block_type: 'problem',
        graded: true,
        section_with_name: '1:0:0 - Introduction',
        subsection_with_name: '1:1:0 - First steps',
        course_name: 'Demonstration Course',
      },
    ]);

    // Reporting MVs: the problem response carries the block name and graded flag.
    expect(
      await rows(
        `SELECT actor_id, attempts, success, display_name_with_location, graded
         FROM ${r}.dim_learner_last_response ORDER BY actor_id`,
      ),
    ).toEqual([
      { actor_id: ACTOR_A, attempts: 2, success: true, display_name_with_location: '1:1:1 - Checkpoint', graded: true },
      { actor_id: ACTOR_B, attempts: 1, success: true, display_name_with_location: '1:1:1 - Checkpoint', graded: true },
    ]);
    expect(await count(`${r}.dim_most_recent_enrollment`)).toBe(2);
    expect(await count(`${r}.dim_learner_last_course_visit`)).toBe(1);
    // played 0 → paused 10, then played 5 → paused 15: seconds 1..15, and 5..10 twice.
    expect(
      await rows(`SELECT min(watched_segment) AS lo, max(watched_segment) AS hi, toUInt32(sum(watch_count)) AS n,
                         groupArrayIf(watched_segment, watch_count = 2) AS twice
                  FROM ${r}.fact_video_segments`),
    ).toEqual([{ lo: 1, hi: 15, n: 21, twice: [5, 6, 7, 8, 9, 10] }]);

    // Reporting views.
    expect(
      await rows(
        `SELECT actor_id, username, approving_state, course_grade, grade_bucket, enrollment_mode
         FROM ${r}.dim_student_status ORDER BY actor_id`,
      ),
    ).toEqual([
      {
        actor_id: ACTOR_A,
        username: 'learner1',
        approving_state: 'passed',
        course_grade: 0.9,
        // Float32 0.9 is 0.89999998: aspects-dbt v7.0.0 buckets it unrounded, into 80-89%.
        grade_bucket: '80-89%',
        enrollment_mode: 'audit',
      },
      {
        actor_id: ACTOR_B,
        username: 'learner2',
        approving_state: 'failed',
        course_grade: 0,
        grade_bucket: '0-9%',
        enrollment_mode: 'verified',
      },
    ]);
    expect(await count(`${r}.fact_enrollments`, `username != ''`)).toBe(2);
    expect(
      await rows(
        `SELECT actor_id, block_id, section_with_name, subsection_with_name, toUInt32(page_count) AS page_count
         FROM ${r}.fact_navigation_completion`,
      ),
    ).toEqual([
      {
        actor_id: ACTOR_A,
        block_id: SEQUENTIAL,
        section_with_name: '1:0:0 - Introduction',
        subsection_with_name: '1:1:0 - First steps',
        page_count: 1,
      },
    ]);
    expect(await rows(`SELECT course_key, tag, taxonomy_name FROM ${r}.dim_most_recent_course_tags`)).toEqual([
      { course_key: COURSE_KEY, tag: 'Science', taxonomy_name: 'Subjects' },
    ]);
    expect(
      await rows(`SELECT toUInt32(uniqCombinedMerge(events_cnt)) AS events FROM ${x}.fact_instance_events`),
    ).toEqual([{ events: STATEMENTS.length }]);
    expect(
      await rows(
        `SELECT enrollment_status, toUInt32(sum(course_enrollment_mode_status_cnt)) AS n
         FROM ${r}.fact_instance_enrollments GROUP BY enrollment_status`,
      ),
    ).toEqual([{ enrollment_status: 'registered', n: 2 }]);
  });

  it('counts the eight loaded tables', async () => {
    expect(await countRows(ch, names)).toEqual({
      xapi_events_all: STATEMENTS.length,
      course_overviews: 1,
      course_blocks: BLOCKS.length,
      user_profile: 2,
      external_id: 2,
      tag: 1,
      taxonomy: 1,
      object_tag: 0,
    });
  });

  it('optimizes every collapsing table and keeps one row per key', async () => {
    // A re-sent statement (same id and time) collapses in the raw table after OPTIMIZE FINAL.
    await insertStatements(STATEMENTS.slice(0, 1));
    expect((await countRows(ch, names)).xapi_events_all).toBe(STATEMENTS.length + 1);
    await optimizeFinal(ch, names);
    expect((await countRows(ch, names)).xapi_events_all).toBe(STATEMENTS.length);
    expect(await count(`${names.reportingDb}.dim_most_recent_enrollment`)).toBe(2);
  });

  it('takes block names from the latest publish once the dictionaries are reloaded', async () => {
    const later = '2023-02-01 00:00:00.000000+00:00';
    await insertSink(
      'course_blocks',
      courseBlocks
        .map((b) =>
          b.location === PROBLEM ? { ...b, display_name: 'Checkpoint (revised)', time_last_dumped: later } : b,
        )
        .filter((b) => b.location === PROBLEM),
    );
    await reloadDictionaries(ch, names);
    expect(
      await rows(`SELECT block_name, graded FROM ${names.reportingDb}.dim_course_blocks WHERE block_id = '${PROBLEM}'`),
    ).toEqual([{ block_name: 'Checkpoint (revised)', graded: true }]);
  });

  // The generator contract of reference §2.4 point 4: problem_events CASTs these two fields, so a
  // statement without them fails the whole INSERT (after the raw rows were written).
  it.each([
    { what: 'attempt-id', strip: (s: Statement) => ({ ...s, object: { id: `${LMS}/xblock/${PROBLEM}` } }) },
    { what: 'result.success', strip: (s: Statement) => ({ ...s, result: {} }) },
  ])('rejects an evaluated statement without $what', async ({ what, strip }) => {
    const statement = strip(evaluated(ACTOR_B, '2023-05-01T00:00:00+00:00', 3, true));
    const fieldInMessage = what === 'attempt-id' ? /Int16/ : /boolean/;
    await expect(insertStatements([statement])).rejects.toThrow(fieldInMessage);
  });
});
