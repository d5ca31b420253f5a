/**
 * Statement fidelity: every event type is generated from a seeded world and compared with the
 * reference example statements recorded from the original tool (fixtures/reference-statements):
 * same JSON paths in the same key order, same value types, same constants, and varying values
 * that look like the original's. The rendered text is checked for Python `json.dumps` style.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventType } from '../src/generate/event-types.ts';
import { createRng, pick, type Rng, randRange, randUuid4 } from '../src/generate/rng.ts';
import {
  buildInitialEnrollment,
  ENROLLMENT_MODES,
  type EventContext,
  PASS_THRESHOLD,
  STATEMENT_BUILDERS,
  type StatementParts,
} from '../src/generate/statements/index.ts';
import { formatPyFloat, render } from '../src/generate/template.ts';
import { formatIsoTimestamp, SECONDS_PER_DAY } from '../src/generate/time.ts';
import { actorUuid, buildWorld } from '../src/generate/world.ts';
import { makeTestConfig } from './support/config.ts';

const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/reference-statements/', import.meta.url));
const config = makeTestConfig();
const world = buildWorld(config);
const LMS = config.lmsUrl;

// ---- generation ----------------------------------------------------------------------------

/** The draws common to every event (§4.10): course, enrolled actor, id, emission time. */
function makeContext(rng: Rng): EventContext {
  const course = pick(rng, world.courses);
  const entry = randRange(rng, 0, course.enrolledActors.length);
  const from = (course.enrollDays[entry] as number) * SECONDS_PER_DAY;
  const to = (course.endDay + 1) * SECONDS_PER_DAY;
  return {
    world,
    course,
    actorId: actorUuid(config, course.enrolledActors[entry] as number),
    eventId: randUuid4(rng),
    timestamp: formatIsoTimestamp(from + randRange(rng, 0, to - from)),
  };
}

interface Generated {
  readonly ctx: EventContext;
  readonly parts: StatementParts;
  readonly json: string;
  readonly statement: Json;
}

function generate(type: EventType, seed: readonly number[]): Generated {
  const rng = createRng(seed);
  const ctx = makeContext(rng);
  const parts = STATEMENT_BUILDERS[type](rng, ctx);
  const json = render(parts.template, parts.values, 'json');
  return { ctx, parts, json, statement: JSON.parse(json) as Json };
}

function fixtureText(type: EventType): string {
  return readFileSync(`${FIXTURE_DIR}${type}.json`, 'utf8');
}

// ---- JSON paths ----------------------------------------------------------------------------

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Kind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

function kindOf(value: Json): Kind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'string' | 'number' | 'boolean' | 'object';
}

/** `$.actor.account.name`, `$.context.extensions["https://…"]`, `$.parent[0]`. */
function path(...segments: readonly (string | number)[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

interface PathNode {
  readonly kind: Kind;
  readonly value: Json;
}

/** Every path of a JSON value (objects and arrays included), in document order. */
function flatten(value: Json, segments: (string | number)[] = [], out = new Map<string, PathNode>()) {
  out.set(path(...segments), { kind: kindOf(value), value });
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      flatten(item, [...segments, i], out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flatten(item, [...segments, key], out);
  }
  return out;
}

/** Keys of every object, by path: `Object.keys` keeps insertion (= text) order for these keys. */
function keyOrders(value: Json, segments: (string | number)[] = [], out = new Map<string, string[]>()) {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      keyOrders(item, [...segments, i], out);
    });
  } else if (value !== null && typeof value === 'object') {
    out.set(path(...segments), Object.keys(value));
    for (const [key, item] of Object.entries(value)) keyOrders(item, [...segments, key], out);
  }
  return out;
}

// ---- the values that vary, per type; every other leaf must equal the reference -------------

type Check = (value: Json, g: Generated) => void;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
const PARENT_ID = path('context', 'contextActivities', 'parent', 0, 'id');
const OBJECT_ID = path('object', 'id');

const VIDEO_TIME = 'https://w3id.org/xapi/video/extensions/time';
const VIDEO_TIME_FROM = 'https://w3id.org/xapi/video/extensions/time-from';
const VIDEO_TIME_TO = 'https://w3id.org/xapi/video/extensions/time-to';
const ATTEMPT_ID = 'http://id.tincanapi.com/extension/attempt-id';
const STARTING_POSITION = 'http://id.tincanapi.com/extension/starting-position';
const ENDING_POINT = 'http://id.tincanapi.com/extension/ending-point';
const TOTAL_ITEMS = 'https://w3id.org/xapi/acrossx/extensions/total-items';
const ACROSSX_TYPE = 'https://w3id.org/xapi/acrossx/extensions/type';
const GRADE_CLASSIFICATION = 'http://www.tincanapi.co.uk/activitytypes/grade_classification';

function blockPrefix(g: Generated, blockType: string): string {
  return `${LMS}/xblock/block-v1:${g.ctx.course.courseId}+type@${blockType}+block@`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The object id is one of the course's blocks of that type (`suffix` appended, e.g. `/answer`). */
function courseBlock(blockType: 'video' | 'problem' | 'sequential', suffix = ''): Check {
  return (value, g) => {
    const prefix = escapeRegExp(blockPrefix(g, blockType));
    expect(value).toMatch(new RegExp(`^${prefix}[0-9a-f]{8}${escapeRegExp(suffix)}$`));
    const lists = { video: g.ctx.course.videos, problem: g.ctx.course.problems, sequential: g.ctx.course.sequentials };
    expect(lists[blockType]).toContain((value as string).slice(0, (value as string).length - suffix.length));
  };
}

const isCourseUrl: Check = (value, g) => {
  expect(value).toMatch(new RegExp(`^${escapeRegExp(`${LMS}/course/course-v1:`)}Org\\d+\\+[0-9a-f]{6}\\+\\d+$`));
  expect(value).toBe(g.ctx.course.courseUrl);
};

const isForumThread: Check = (value, g) => {
  expect(value).toMatch(new RegExp(`^${escapeRegExp(`${LMS}/api/discussion/v1/threads/`)}[0-9a-f]{8}$`));
  expect(g.ctx.course.forumPosts).toContain(value);
};

/** A whole second of the 195 s video, `float(randrange(0, 195))`. */
const isVideoTime: Check = (value) => {
  expect(Number.isInteger(value)).toBe(true);
  expect(value).toBeGreaterThanOrEqual(0);
  expect(value).toBeLessThan(195);
};

/** `str(randrange(1, items_in_course))`. */
const isPosition: Check = (value, g) => {
  expect(value).toMatch(/^[1-9]\d*$/);
  expect(Number(value)).toBeLessThan(g.ctx.course.itemsInCourse);
};

const isBoolean: Check = (value) => {
  expect(typeof value).toBe('boolean');
};

/** Varying leaves shared by all types (the course parent only where the reference has one). */
const COMMON: Record<string, Check> = {
  [path('id')]: (value, g) => {
    expect(value).toMatch(UUID_V4);
    expect(value).toBe(g.ctx.eventId);
  },
  [path('actor', 'account', 'name')]: (value, g) => {
    expect(value).toMatch(UUID_V4);
    expect(value).toBe(g.ctx.actorId);
  },
  [path('timestamp')]: (value, g) => {
    expect(value).toMatch(ISO_TIMESTAMP);
    expect(value).toBe(g.ctx.timestamp);
  },
  [PARENT_ID]: isCourseUrl,
};

const SCORE_CHECKS: Record<string, Check> = {
  [path('result', 'score', 'scaled')]: (value) => {
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
  },
  [path('result', 'score', 'raw')]: (value) => {
    expect(Number.isInteger(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(0);
  },
  [path('result', 'score', 'max')]: (value) => {
    expect(Number.isInteger(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(1);
    expect(value).toBeLessThanOrEqual(100);
  },
};

const video = (result: Record<string, Check> = {}) => ({ [OBJECT_ID]: courseBlock('video'), ...result });
const videoTime = { [path('result', 'extensions', VIDEO_TIME)]: isVideoTime };
const unitNavigation = {
  [OBJECT_ID]: courseBlock('sequential'),
  [path('context', 'extensions', STARTING_POSITION)]: isPosition,
  [path('object', 'definition', 'extensions', TOTAL_ITEMS)]: (value: Json, g: Generated) => {
    expect(value).toBe(g.ctx.course.itemsInCourse);
  },
};
const enrollmentMode = {
  [OBJECT_ID]: isCourseUrl,
  [path('object', 'definition', 'extensions', ACROSSX_TYPE)]: (value: Json) => {
    expect(ENROLLMENT_MODES).toContain(value);
  },
};

/** Per type, the leaves that vary (besides `COMMON`). `Record` makes a missing type a compile error. */
const VARYING: Readonly<Record<EventType, Record<string, Check>>> = {
  LoadedVideo: video(),
  CompletedVideo: video(),
  PlayedVideo: video(videoTime),
  PausedVideo: video(videoTime),
  StoppedVideo: video(videoTime),
  TranscriptEnabled: video(videoTime),
  TranscriptDisabled: video(videoTime),
  PositionChangedVideo: video({
    [path('result', 'extensions', VIDEO_TIME_FROM)]: isVideoTime,
    [path('result', 'extensions', VIDEO_TIME_TO)]: isVideoTime,
  }),
  BrowserProblemCheck: { [OBJECT_ID]: courseBlock('problem') },
  ServerProblemCheck: {
    [OBJECT_ID]: courseBlock('problem'),
    [path('object', 'definition', 'extensions', ATTEMPT_ID)]: (value) => {
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(1);
      expect(value).toBeLessThan(10);
    },
    [path('result', 'response')]: (value) => {
      expect(['A correct answer', 'An incorrect answer']).toContain(value);
    },
    [path('result', 'success')]: isBoolean,
    ...SCORE_CHECKS,
  },
  ShowHint: { [OBJECT_ID]: courseBlock('problem', '/hint/1') },
  ShowAnswer: { [OBJECT_ID]: courseBlock('problem', '/answer') },
  NextNavigation: unitNavigation,
  PreviousNavigation: unitNavigation,
  TabSelectedNavigation: { ...unitNavigation, [path('context', 'extensions', ENDING_POINT)]: isPosition },
  // The link target is a constant (built from lms_url, which the test config shares with the reference).
  LinkClicked: {},
  Registered: enrollmentMode,
  Unregistered: enrollmentMode,
  PostCreated: { [OBJECT_ID]: isForumThread },
  CourseGradeCalculated: {
    [OBJECT_ID]: isCourseUrl,
    ...SCORE_CHECKS,
    [path('result', 'extensions', GRADE_CLASSIFICATION)]: (value) => {
      expect(['Pass', 'Fail']).toContain(value);
    },
  },
  FirstTimePassed: { [OBJECT_ID]: isCourseUrl },
  SubsectionGradeCalculated: {
    [OBJECT_ID]: courseBlock('sequential'),
    ...SCORE_CHECKS,
    [path('result', 'success')]: isBoolean,
  },
};

// ---- Python json.dumps text ----------------------------------------------------------------

/**
 * Reformats pretty-printed JSON text the way Python's `json.dumps` writes it (`", "`, `": "`, no
 * newlines) without re-parsing, so number literals such as `195.0` survive.
 */
function toPythonDumps(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === ',' || c === ':') {
      out += `${c} `;
    } else if (!/\s/.test(c)) {
      out += c;
    }
  }
  return out;
}

/** Every `,` and `:` outside strings is followed by exactly one space, and there is no other whitespace. */
function expectPythonSeparators(text: string): void {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === ',' || c === ':') {
      expect(text.slice(i, i + 2), `separator at ${i}`).toBe(`${c} `);
      expect(text[i + 2], `double space at ${i}`).not.toBe(' ');
      i++;
    } else expect(/\s/.test(c), `stray whitespace at ${i}`).toBe(false);
  }
}

/** The literal text of a number-valued extension or field: `"key": <literal>`. */
function literalOf(text: string, key: string): string | undefined {
  return new RegExp(`"${escapeRegExp(key)}": ([^,}\\]]+)`).exec(text)?.[1];
}

// ---- tests ---------------------------------------------------------------------------------

const SEED = 42;
const seedFor = (type: EventType): number[] => [SEED, EVENT_TYPES.indexOf(type)];

describe('statement builders: completeness', () => {
  it('has a builder, a reference fixture and a test table row for every event type', () => {
    expect(Object.keys(STATEMENT_BUILDERS).sort()).toEqual([...EVENT_TYPES].sort());
    expect(Object.keys(VARYING).sort()).toEqual([...EVENT_TYPES].sort());
    const fixtures = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json'));
    expect(fixtures.sort()).toEqual(EVENT_TYPES.map((t) => `${t}.json`).sort());
  });

  it('uses the same template for initial enrollments as for random Registered statements', () => {
    const rng = createRng([SEED, 99]);
    const ctx = makeContext(rng);
    const initial = buildInitialEnrollment(createRng([7]), ctx);
    const random = STATEMENT_BUILDERS.Registered(createRng([7]), ctx);
    expect(initial.template).toBe(random.template);
    expect(initial.values).toEqual(random.values);
  });
});

describe.each(EVENT_TYPES)('%s', (type) => {
  const reference = JSON.parse(fixtureText(type)) as Json;
  const g = generate(type, seedFor(type));

  it('has exactly the JSON paths of the reference statement, in the same key order', () => {
    const actual = flatten(g.statement);
    const expected = flatten(reference);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    expect([...keyOrders(g.statement)]).toEqual([...keyOrders(reference)]);
  });

  it('has the reference value type at every path', () => {
    const actual = flatten(g.statement);
    for (const [p, node] of flatten(reference)) {
      expect(actual.get(p)?.kind, p).toBe(node.kind);
    }
  });

  it('has the reference constants, and plausible values where the reference varies', () => {
    const checks = { ...COMMON, ...VARYING[type] };
    const expected = flatten(reference);
    // Guard against typos in the test table: every type-specific path exists in the reference.
    for (const p of Object.keys(VARYING[type])) expect(expected.has(p), `varying path ${p}`).toBe(true);
    const actual = flatten(g.statement);
    for (const [p, node] of expected) {
      if (node.kind === 'object' || node.kind === 'array') continue;
      const value = actual.get(p)?.value as Json;
      const check = checks[p];
      if (check) check(value, g);
      else expect(value, p).toEqual(node.value);
    }
  });

  it("reproduces the reference statement's constant text byte for byte", () => {
    // Splice the reference's values into our template's constant segments: the result must be
    // exactly the reference statement as Python json.dumps wrote it.
    const pythonText = toPythonDumps(fixtureText(type));
    const { jsonSegments, quoted } = g.parts.template;
    const pattern = jsonSegments
      .map(
        (segment, i) => escapeRegExp(segment) + (i < quoted.length ? (quoted[i] ? '([^"\\\\]*)' : '([^,}\\]]+)') : ''),
      )
      .join('');
    const match = new RegExp(`^${pattern}$`).exec(pythonText);
    expect(match, 'template text does not match the reference').not.toBeNull();
    const referenceValues = (match as RegExpExecArray).slice(1);
    expect(render(g.parts.template, referenceValues, 'json')).toBe(pythonText);
  });

  it('is rendered with Python json.dumps separators and float style', () => {
    expectPythonSeparators(g.json);
    for (const key of [VIDEO_TIME, VIDEO_TIME_FROM, VIDEO_TIME_TO]) {
      const literal = literalOf(g.json, key);
      if (literal !== undefined) expect(literal).toMatch(/^\d+\.0$/);
    }
    if (type.endsWith('Video') || type.startsWith('Transcript')) {
      expect(g.json).toContain('"https://w3id.org/xapi/video/extensions/length": 195.0');
    }
    for (const key of [ATTEMPT_ID, TOTAL_ITEMS, 'raw', 'max']) {
      const literal = literalOf(g.json, key);
      if (literal !== undefined) expect(literal).toMatch(/^\d+$/);
    }
    if (g.json.includes('"score"')) expect(g.json).toContain('"min": 0.0');
  });

  it('is a minimally valid xAPI 1.0.3 statement', () => {
    const s = g.statement as { [key: string]: { [key: string]: Json } } & { [key: string]: Json };
    const actor = s.actor as { account: { homePage: string; name: string } };
    expect(new URL(actor.account.homePage).href).toBeTruthy();
    expect(actor.account.name).not.toBe('');
    expect((s.verb as { id: string }).id).toMatch(/^https?:\/\/\S+$/);
    expect((s.object as { id: string }).id).toMatch(/^https?:\/\/\S+$/);
    expect(s.timestamp).toMatch(ISO_TIMESTAMP);
    expect(s.id).toMatch(UUID_V4);
    expect(s.version).toBe('1.0.3');
  });

  it('renders CSV as the JSON text with every quote doubled', () => {
    expect(render(g.parts.template, g.parts.values, 'csv')).toBe(g.json.replaceAll('"', '""'));
    for (const value of g.parts.values) expect(value).not.toMatch(/["\\]/);
  });

  it('is deterministic for a seed', () => {
    expect(generate(type, seedFor(type)).json).toBe(g.json);
  });
});

/** Many statements of one type, for properties of the random parts. */
function many(type: EventType, count: number): Generated[] {
  return Array.from({ length: count }, (_, i) => generate(type, [SEED, 1000, i]));
}

function scoreOf(g: Generated): { scaled: number; raw: number; max: number } {
  return (g.statement as { result: { score: { scaled: number; raw: number; max: number } } }).result.score;
}

describe('scores', () => {
  it.each(['ServerProblemCheck', 'CourseGradeCalculated', 'SubsectionGradeCalculated'] as const)(
    '%s: scaled = raw / max, printed like Python (0.0 and 1.0 when integral)',
    (type) => {
      const seen = new Set<string>();
      for (const g of many(type, 400)) {
        const { scaled, raw, max } = scoreOf(g);
        expect(scaled).toBe(raw / max);
        const literal = literalOf(g.json, 'scaled') as string;
        expect(literal).toBe(formatPyFloat(raw / max));
        seen.add(literal);
        expect(g.json).toContain('"min": 0.0');
      }
      expect(seen).toContain('0.0');
      expect(seen).toContain('1.0');
    },
  );
});

describe('ServerProblemCheck', () => {
  it('always carries attempt-id (int), success (bool) and a response consistent with success', () => {
    const outcomes = new Set<boolean>();
    for (const g of many('ServerProblemCheck', 300)) {
      const s = g.statement as {
        object: { definition: { extensions: { [ATTEMPT_ID]: number } } };
        result: { response: string; success: boolean };
      };
      const attemptId = s.object.definition.extensions[ATTEMPT_ID];
      expect(Number.isInteger(attemptId) && attemptId >= 1 && attemptId <= 9).toBe(true);
      expect(literalOf(g.json, ATTEMPT_ID)).toMatch(/^\d$/);
      expect(typeof s.result.success).toBe('boolean');
      expect(s.result.response).toBe(s.result.success ? 'A correct answer' : 'An incorrect answer');
      outcomes.add(s.result.success);
    }
    expect([...outcomes].sort()).toEqual([false, true]);
  });
});

describe('CourseGradeCalculated', () => {
  it(`classifies Pass when scaled > ${PASS_THRESHOLD}, otherwise Fail`, () => {
    const classes = new Set<string>();
    for (const g of many('CourseGradeCalculated', 300)) {
      const s = g.statement as {
        result: { score: { scaled: number }; extensions: { [GRADE_CLASSIFICATION]: string } };
      };
      const classification = s.result.extensions[GRADE_CLASSIFICATION];
      expect(classification).toBe(s.result.score.scaled > PASS_THRESHOLD ? 'Pass' : 'Fail');
      classes.add(classification);
    }
    expect([...classes].sort()).toEqual(['Fail', 'Pass']);
  });
});

describe('seeded runs', () => {
  it.each([42, 1337, 1211])('one statement per type for seed %i', (seed) => {
    const statements = Object.fromEntries(EVENT_TYPES.map((type, i) => [type, generate(type, [seed, i]).json]));
    expect(statements).toMatchSnapshot();
  });
});
