/**
 * A hand-made Aspects course for model tests: event-sink rows (course, outline, learners) and
 * xAPI statement builders in the shapes event-routing-backends emits, plus a schema on the
 * embedded engine to load them into. Tests compute the right answers for these rows by hand.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ClickHouse } from '../../src/clickhouse/connect.ts';
import { initSchema, optimizeFinal, reloadDictionaries, type SchemaNames } from '../../src/clickhouse/schema.ts';

export const LMS = 'http://localhost:18000';
export const COURSE_KEY = 'course-v1:Org0+C1+R1';
export const COURSE_URL = `${LMS}/course/${COURSE_KEY}`;
export const DUMPED = '2023-01-01 00:00:00.000000+00:00';

/** `block-v1:Org0+C1+R1+type@<type>+block@<id>`: a block of {@link COURSE_KEY}. */
export const blockId = (type: string, id: string): string => `block-v1:Org0+C1+R1+type@${type}+block@${id}`;

/** Randomly suffixed database names, so test files never share tables. */
export function uniqueSchemaNames(): SchemaNames {
  const suffix = randomBytes(4).toString('hex');
  return {
    xapiDb: `xapi_${suffix}`,
    eventSinkDb: `event_sink_${suffix}`,
    reportingDb: `reporting_${suffix}`,
    rawTable: 'xapi_events_all',
  };
}

export interface BlockSpec {
  readonly location: string;
  readonly name: string;
  readonly type: string;
  /** Outline position: section, subsection, unit. */
  readonly pos: readonly [number, number, number];
  readonly graded?: boolean;
}

export function courseOverviewRow(displayName = 'Demonstration Course'): Record<string, unknown> {
  return {
    org: 'Org0',
    course_key: COURSE_KEY,
    display_name: displayName,
    course_start: '2023-01-01 00:00:00',
    course_end: '2023-12-31 00:00:00',
    enrollment_start: '2023-01-01 00:00:00',
    enrollment_end: '2023-12-31 00:00:00',
    self_paced: false,
    course_data_json: JSON.stringify({ tags: [1] }),
    created: '2023-01-01 00:00:00',
    modified: '2023-01-01 00:00:00',
    dump_id: randomUUID(),
    time_last_dumped: DUMPED,
  };
}

/** course_blocks rows; `order` is the position in `blocks` (1-based), as the outline lists them. */
export function courseBlockRows(blocks: readonly BlockSpec[]): Record<string, unknown>[] {
  return blocks.map((b, i) => ({
    org: 'Org0',
    course_key: COURSE_KEY,
    location: b.location,
    display_name: b.name,
    xblock_data_json: JSON.stringify({
      block_type: b.type,
      section: b.pos[0],
      subsection: b.pos[1],
      unit: b.pos[2],
      graded: b.graded ?? false,
    }),
    order: i + 1,
    edited_on: '2023-01-01 00:00:00',
    dump_id: randomUUID(),
    time_last_dumped: DUMPED,
  }));
}

/** user_profile rows for learners 1…n (`learner<i>`, `learner<i>@aspects.invalid`). */
export function profileRows(actors: readonly string[]): Record<string, unknown>[] {
  const empty = Object.fromEntries(
    [
      'meta',
      'courseware',
      'language',
      'location',
      'year_of_birth',
      'gender',
      'level_of_education',
      'mailing_address',
      'city',
      'country',
      'state',
      'goals',
      'bio',
      'profile_image_uploaded_at',
      'phone_number',
    ].map((k) => [k, '']),
  );
  return actors.map((_actor, i) => ({
    id: i + 1,
    user_id: i + 1,
    name: `Learner ${i + 1}`,
    username: `learner${i + 1}`,
    email: `learner${i + 1}@aspects.invalid`,
    ...empty,
    dump_id: randomUUID(),
    time_last_dumped: DUMPED,
  }));
}

/** external_id rows mapping learner i to its xAPI actor id. */
export function externalIdRows(actors: readonly string[]): Record<string, unknown>[] {
  return actors.map((actor, i) => ({
    external_user_id: actor,
    external_id_type: 'xapi',
    username: `learner${i + 1}`,
    user_id: i + 1,
    dump_id: randomUUID(),
    time_last_dumped: DUMPED,
  }));
}

// ---- xAPI statements ------------------------------------------------------------------------------

export interface Statement {
  id: string;
  timestamp: string;
  [key: string]: unknown;
}

const actor = (name: string) => ({ objectType: 'Agent', account: { homePage: LMS, name } });
const courseParent = {
  contextActivities: {
    parent: [
      {
        id: COURSE_URL,
        objectType: 'Activity',
        definition: { name: { 'en-US': 'Demonstration Course' }, type: 'http://adlnet.gov/expapi/activities/course' },
      },
    ],
  },
};

export interface Answer {
  readonly attempt: number;
  readonly success: boolean;
  readonly response: string;
  readonly scaled: number;
}

export function evaluated(actorId: string, timestamp: string, problem: string, answer: Answer): Statement {
  return {
    id: randomUUID(),
    actor: actor(actorId),
    context: courseParent,
    timestamp,
    verb: { display: { en: 'evaluated' }, id: 'https://w3id.org/xapi/acrossx/verbs/evaluated' },
    version: '1.0.3',
    object: {
      definition: {
        extensions: { 'http://id.tincanapi.com/extension/attempt-id': answer.attempt },
        description: { 'en-US': 'A question' },
        interactionType: 'choice',
        type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
      },
      id: `${LMS}/xblock/${problem}`,
      objectType: 'Activity',
    },
    result: {
      response: answer.response,
      score: { scaled: answer.scaled, raw: answer.scaled, min: 0, max: 1 },
      success: answer.success,
    },
  };
}

export function navigated(actorId: string, timestamp: string, target: string): Statement {
  return {
    id: randomUUID(),
    actor: actor(actorId),
    context: {
      ...courseParent,
      extensions: {
        'http://id.tincanapi.com/extension/starting-position': 1,
        'http://id.tincanapi.com/extension/ending-point': 'next unit',
      },
    },
    timestamp,
    verb: { display: { en: 'navigated' }, id: 'https://w3id.org/xapi/dod-isd/verbs/navigated' },
    version: '1.0.3',
    object: {
      definition: { type: 'http://id.tincanapi.com/activitytype/resource' },
      id: `${LMS}/xblock/${target}`,
      objectType: 'Activity',
    },
  };
}

export function videoEvent(
  actorId: string,
  timestamp: string,
  video: string,
  verb: 'played' | 'paused',
  time: number,
): Statement {
  return {
    id: randomUUID(),
    actor: actor(actorId),
    context: { ...courseParent, extensions: { 'https://w3id.org/xapi/video/extensions/length': 195.0 } },
    timestamp,
    verb: { display: { en: verb }, id: `https://w3id.org/xapi/video/verbs/${verb}` },
    version: '1.0.3',
    object: {
      definition: { type: 'https://w3id.org/xapi/video/activity-type/video' },
      id: `${LMS}/xblock/${video}`,
      objectType: 'Activity',
    },
    result: { extensions: { 'https://w3id.org/xapi/video/extensions/time': time } },
  };
}

export function registered(actorId: string, timestamp: string, mode: string): Statement {
  return {
    id: randomUUID(),
    actor: actor(actorId),
    context: { extensions: { 'https://w3id.org/xapi/openedx/extension/transformer-version': 'test' } },
    object: {
      definition: {
        extensions: { 'https://w3id.org/xapi/acrossx/extensions/type': mode },
        name: { en: 'Demonstration Course' },
        type: 'http://adlnet.gov/expapi/activities/course',
      },
      id: COURSE_URL,
      objectType: 'Activity',
    },
    timestamp,
    verb: { display: { en: 'registered' }, id: 'http://adlnet.gov/expapi/verbs/registered' },
    version: '1.0.3',
  };
}

export function courseGrade(actorId: string, timestamp: string, grade: number, classification: string): Statement {
  return {
    id: randomUUID(),
    actor: actor(actorId),
    context: {},
    timestamp,
    verb: { display: { en: 'earned' }, id: 'http://id.tincanapi.com/verb/earned' },
    version: '1.0.3',
    object: {
      definition: { name: { en: 'Demonstration Course' }, type: 'http://adlnet.gov/expapi/activities/course' },
      id: COURSE_URL,
      objectType: 'Activity',
    },
    result: {
      score: { min: 0, max: 1, raw: grade, scaled: grade },
      extensions: { 'http://www.tincanapi.co.uk/activitytypes/grade_classification': classification },
    },
  };
}

// ---- loading --------------------------------------------------------------------------------------

export async function insertSink(
  ch: ClickHouse,
  names: SchemaNames,
  table: string,
  values: readonly Record<string, unknown>[],
): Promise<void> {
  await ch.client.insert({ table: `${names.eventSinkDb}.${table}`, values, format: 'JSONEachRow' });
}

/** One INSERT into the raw table: every materialized view sees the statements as one block. */
export async function insertStatements(
  ch: ClickHouse,
  names: SchemaNames,
  statements: readonly Statement[],
): Promise<void> {
  await ch.client.insert({
    table: `${names.xapiDb}.${names.rawTable}`,
    values: statements.map((s) => ({ event_id: s.id, emission_time: s.timestamp, event: JSON.stringify(s) })),
    format: 'JSONEachRow',
  });
}

export async function queryRows<T>(ch: ClickHouse, query: string): Promise<T[]> {
  const rs = await ch.client.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}

/**
 * The whole course into a fresh schema, in Aspects' load order: schema, event sink, dictionaries,
 * the statements in one INSERT, then OPTIMIZE … FINAL.
 */
export async function loadCourse(
  ch: ClickHouse,
  names: SchemaNames,
  course: {
    readonly blocks: readonly BlockSpec[];
    readonly actors: readonly string[];
    readonly statements: readonly Statement[];
  },
): Promise<void> {
  await initSchema(ch, names);
  await insertSink(ch, names, 'course_overviews', [courseOverviewRow()]);
  await insertSink(ch, names, 'course_blocks', courseBlockRows(course.blocks));
  await insertSink(ch, names, 'user_profile', profileRows(course.actors));
  await insertSink(ch, names, 'external_id', externalIdRows(course.actors));
  await reloadDictionaries(ch, names);
  await insertStatements(ch, names, course.statements);
  await optimizeFinal(ch, names);
}
