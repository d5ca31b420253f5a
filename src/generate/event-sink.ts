/**
 * Event-sink rows (what platform-plugin-aspects dumps into the `event_sink` database), one
 * chunk at a time. Columns are in `TABLES[key].columns` order. Every value is a pure function
 * of (config, world, row position): dump ids are hashed UUIDs and dump times derive from the
 * config's end date, so a chunk can be generated on any worker.
 */

import type { Config } from '../config/types.ts';
import type { CsvValue } from '../formats/csv.ts';
import { TAGS, TAXONOMY_ID, TAXONOMY_NAME } from './data/music-taxonomy.ts';
import { hashedUuid4, hashInts, STREAM } from './rng.ts';
import { formatDay, SECONDS_PER_DAY } from './time.ts';
import { actorProfile, actorUuid, type Course, type World } from './world.ts';

export type Row = readonly CsvValue[];

/**
 * `time_last_dumped` of dump number `n` (publish or profile round): the config's end date plus
 * `n` seconds, formatted like Python's `str(datetime)` of an aware UTC time. Later dumps sort
 * later, which is what Aspects' "most recent" views rely on.
 */
export function dumpTime(config: Config, n: number): string {
  // Memoized per config: rows of one dump share it, and formatting it per row was ~10 % of the
  // event-sink tables' generation.
  let memo = dumpTimes.get(config);
  if (memo === undefined) {
    memo = new Map();
    dumpTimes.set(config, memo);
  }
  let text = memo.get(n);
  if (text === undefined) {
    text = formatDumpTime(config, n);
    if (memo.size < DUMP_TIME_MEMO_LIMIT) memo.set(n, text);
  }
  return text;
}

const DUMP_TIME_MEMO_LIMIT = 10_000;
const dumpTimes = new WeakMap<Config, Map<number, string>>();

function formatDumpTime(config: Config, n: number): string {
  const seconds = config.endDate * SECONDS_PER_DAY + n;
  const day = formatDay(Math.floor(seconds / SECONDS_PER_DAY));
  const s = seconds % SECONDS_PER_DAY;
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${day} ${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}+00:00`;
}

/** `course_overviews`, chunk = one publish: one row per course. */
export function courseOverviewRows(world: World, publish: number): Row[] {
  const { config } = world;
  return world.courses.map((course) => {
    const rowIndex = publish * world.courses.length + course.index;
    // self_paced is re-drawn for every row, as the original does (harmless quirk Q26).
    const selfPaced = (hashInts([config.seed, STREAM.courseOverviews, rowIndex], 1) & 1) === 1;
    const start = formatDay(course.startDay);
    const end = formatDay(course.endDay);
    return [
      course.org,
      course.courseId,
      course.displayName,
      start,
      end,
      start,
      end,
      selfPaced,
      `{"tags": [${course.courseTagIds.join(', ')}]}`,
      start,
      end,
      hashedUuid4([config.seed, STREAM.courseOverviews, rowIndex]),
      dumpTime(config, publish),
    ];
  });
}

/** `course_blocks`, chunk = one course: every publish of its block tree (B × P rows, not cumulative). */
export function courseBlockRows(world: World, courseIndex: number): Row[] {
  const { config } = world;
  const course = world.courses[courseIndex] as Course;
  const edited = formatDay(course.endDay);
  const rows: Row[] = [];
  for (let publish = 0; publish < config.numCoursePublishes; publish++) {
    const dumpId = hashedUuid4([config.seed, STREAM.courseBlocks, courseIndex, publish]);
    const dumped = dumpTime(config, publish);
    for (const block of course.blocks) {
      rows.push([
        course.org,
        course.courseId,
        block.location,
        block.displayName,
        block.xblockDataJson,
        block.order,
        edited,
        dumpId,
        dumped,
      ]);
    }
  }
  return rows;
}

/** Number of `object_tag` rows of the courses before `courseIndex` (for file-wide running ids). */
export function objectTagRowsBefore(world: World, courseIndex: number): number {
  let rows = 0;
  for (let c = 0; c < courseIndex; c++) rows += (world.courses[c] as Course).objectTags.length;
  return rows * world.config.numCoursePublishes;
}

/** `object_tag`, chunk = one course, every publish. Row ids run 1…N over the whole table (quirk Q6 fix). */
export function objectTagRows(world: World, courseIndex: number, firstId: number): Row[] {
  const { config } = world;
  const course = world.courses[courseIndex] as Course;
  const rows: Row[] = [];
  let id = firstId;
  for (let publish = 0; publish < config.numCoursePublishes; publish++) {
    const dumpId = hashedUuid4([config.seed, STREAM.objectTags, courseIndex, publish]);
    const dumped = dumpTime(config, publish);
    for (const objectTag of course.objectTags) {
      const tag = TAGS[objectTag.tagIndex] as (typeof TAGS)[number];
      rows.push([
        id++,
        objectTag.objectId,
        TAXONOMY_ID,
        tag.id,
        tag.value,
        'fake export id',
        tag.lineage,
        dumpId,
        dumped,
      ]);
    }
  }
  return rows;
}

/** `taxonomy`: the one Music taxonomy, id 1 everywhere (the original wrote 0, 1 or 2 — quirk Q5). */
export function taxonomyRows(world: World): Row[] {
  const { config } = world;
  return [[TAXONOMY_ID, TAXONOMY_NAME, hashedUuid4([config.seed, STREAM.taxonomy, 0]), dumpTime(config, 0)]];
}

/** `tag`: the 29 tags, one dump. Roots have an empty parent (CSV) as the original's CSV does. */
export function tagRows(world: World): Row[] {
  const { config } = world;
  const dumpId = hashedUuid4([config.seed, STREAM.tags, 0]);
  const dumped = dumpTime(config, 0);
  return TAGS.map((tag) => [tag.id, TAXONOMY_ID, tag.parentId, tag.value, tag.externalId, tag.lineage, dumpId, dumped]);
}

/** `external_id`, chunk = `batch_size` actors. */
export function externalIdRows(world: World, chunk: number): Row[] {
  const { config } = world;
  const first = chunk * config.batchSize;
  const last = Math.min(config.numActors, first + config.batchSize);
  const rows: Row[] = [];
  for (let actor = first; actor < last; actor++) {
    rows.push([
      actorUuid(config, actor),
      'xapi',
      `actor_${actor}`,
      actor,
      hashedUuid4([config.seed, STREAM.externalIds, actor]),
      dumpTime(config, 0),
    ]);
  }
  return rows;
}

/** `user_profile`, chunk = `batch_size` rows of the A × R dumps (round-major, like the original). */
export function userProfileRows(world: World, chunk: number): Row[] {
  const { config } = world;
  const total = config.numActors * config.numActorProfileChanges;
  const first = chunk * config.batchSize;
  const last = Math.min(total, first + config.batchSize);
  const rows: Row[] = [];
  for (let r = first; r < last; r++) {
    const round = Math.floor(r / config.numActors);
    const actor = r % config.numActors;
    const p = actorProfile(config, actor);
    rows.push([
      actor,
      actor,
      `Actor ${actor}`,
      `actor_${actor}`,
      `actor_${actor}@aspects.invalid`,
      '{}',
      '',
      '',
      '',
      String(p.yearOfBirth),
      p.gender,
      p.levelOfEducation,
      '',
      '',
      p.country,
      '',
      '',
      '',
      '',
      '',
      hashedUuid4([config.seed, STREAM.userProfiles, r]),
      dumpTime(config, round),
    ]);
  }
  return rows;
}
