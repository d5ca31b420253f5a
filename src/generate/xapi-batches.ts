/**
 * xAPI statements in batches. Random batch `i` draws from its own stream (seed, i), initial
 * enrollment chunk `j` from (seed, j): any batch can be made alone, on any worker, in any order.
 */

import { createEventMix, drawEventType, type EventMix, type EventType } from './event-types.ts';
import { createRng, hashInts, type Rng, randRange, randUuid4, STREAM } from './rng.ts';
import type { StatementParts } from './statements/context.ts';
import { STATEMENT_BUILDERS } from './statements/index.ts';
import { formatIsoTimestamp, SECONDS_PER_DAY } from './time.ts';
import { actorUuid, type Course, locateEnrollment, type World } from './world.ts';

/** One generated statement: the three persisted columns, plus its type for summaries. */
export interface GeneratedStatement {
  readonly eventId: string;
  /** Seconds since the epoch, UTC (whole seconds, like the original). */
  readonly emissionTime: number;
  /** `emissionTime` as the statement's `timestamp` text (`2023-06-15T19:51:58+00:00`). */
  readonly timestamp: string;
  readonly eventType: EventType;
  /** The course the statement is about (encoders keep per-course constant text). */
  readonly course: Course;
  readonly parts: StatementParts;
}

const DEFAULT_MIX: EventMix = createEventMix();

// With `now`, the "active in the last 7 days" and "last quarter" charts need learners who are
// active right before it: this share of learners (chosen by a hash of seed and learner) …
const RECENT_LEARNER_SHARE = 0.25;
// … moves this share of their statements into the last day or week before now.
const RECENT_STATEMENT_SHARE = 0.3;
const RECENT_SPANS_SECONDS = [SECONDS_PER_DAY, 7 * SECONDS_PER_DAY] as const;
const RECENT_SALT = 0x6e6f77; // "now"

function isRecentLearner(seed: number, actorIndex: number): boolean {
  return hashInts([seed, actorIndex], RECENT_SALT) / 0x1_0000_0000 < RECENT_LEARNER_SHARE;
}

/**
 * A uniform second in [enrollment day 00:00, course end day + 1 00:00), as the original. With
 * `now`, a recent learner's statement may instead fall in the last day or week before now (never
 * before the learner enrolled). Without `now` no extra draw is made, so the 1.x data is unchanged.
 */
function emissionSecond(rng: Rng, world: World, course: Course, entry: number): number {
  const from = (course.enrollDays[entry] as number) * SECONDS_PER_DAY;
  const to = (course.endDay + 1) * SECONDS_PER_DAY;
  const { now, seed } = world.config;
  if (now !== null && isRecentLearner(seed, course.enrolledActors[entry] as number)) {
    if (rng.next() < RECENT_STATEMENT_SHARE) {
      const span = RECENT_SPANS_SECONDS[rng.next() < 0.5 ? 0 : 1];
      const lo = Math.max(from, now - span);
      if (lo < now) return randRange(rng, lo, now);
    }
  }
  return randRange(rng, from, to);
}

function statementFor(rng: Rng, world: World, type: EventType, course: Course, entry: number): GeneratedStatement {
  const emissionTime = emissionSecond(rng, world, course, entry);
  const eventId = randUuid4(rng);
  const timestamp = formatIsoTimestamp(emissionTime);
  const parts = STATEMENT_BUILDERS[type](rng, {
    world,
    course,
    actorId: actorUuid(world.config, course.enrolledActors[entry] as number),
    eventId,
    timestamp,
  });
  return { eventId, emissionTime, timestamp, eventType: type, course, parts };
}

/** Receives statements one at a time, so a chunk never has to hold all of them. */
export type StatementVisitor = (statement: GeneratedStatement) => void;

/** Random batch `batchIndex`: `batch_size` statements drawn from the event mix, streamed to `visit`. */
export function visitRandomBatch(
  world: World,
  batchIndex: number,
  visit: StatementVisitor,
  mix: EventMix = DEFAULT_MIX,
): void {
  const { config, courses } = world;
  const rng = createRng([config.seed, STREAM.xapi, batchIndex]);
  for (let i = 0; i < config.batchSize; i++) {
    const type = drawEventType(mix, rng.next());
    // Course uniform over all courses (not weighted by size), learner uniform over its
    // enrollment list — the original's choices (quirks Q11, Q12).
    const course = courses[randRange(rng, 0, courses.length)] as Course;
    const entry = randRange(rng, 0, course.enrolledActors.length);
    visit(statementFor(rng, world, type, course, entry));
  }
}

/** Random batch `batchIndex` as an array. */
export function randomBatch(world: World, batchIndex: number, mix: EventMix = DEFAULT_MIX): GeneratedStatement[] {
  const out: GeneratedStatement[] = [];
  visitRandomBatch(world, batchIndex, (s) => out.push(s), mix);
  return out;
}

/** Number of initial-enrollment chunks (`batch_size` statements each, the last may be shorter). */
export function enrollmentChunkCount(world: World): number {
  return Math.ceil(world.totalEnrollments / world.config.batchSize);
}

/** Initial-enrollment chunk `chunk`: one `registered` statement per (course, enrolled learner). */
export function visitEnrollmentBatch(world: World, chunk: number, visit: StatementVisitor): void {
  const { config } = world;
  const rng = createRng([config.seed, STREAM.enrollments, chunk]);
  const first = chunk * config.batchSize;
  const last = Math.min(world.totalEnrollments, first + config.batchSize);
  for (let k = first; k < last; k++) {
    const { course, entry } = locateEnrollment(world, k);
    visit(statementFor(rng, world, 'Registered', course, entry));
  }
}

/** Initial-enrollment chunk `chunk` as an array. */
export function enrollmentBatch(world: World, chunk: number): GeneratedStatement[] {
  const out: GeneratedStatement[] = [];
  visitEnrollmentBatch(world, chunk, (s) => out.push(s));
  return out;
}
