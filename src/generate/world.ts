/**
 * The world: organizations, courses (with runs, enrolled learners, block trees, forum threads and
 * tags) and the actor pool. It is a pure function of the config: every worker rebuilds the same
 * world from the world stream, so batches can be generated anywhere.
 *
 * Actors are not stored: actor `i`'s UUID and profile are hashes of (seed, i), so a pool of
 * millions of learners costs no memory.
 */

import type { Config, CourseMakeup } from '../config/types.ts';
import { TAGS } from './data/music-taxonomy.ts';
import { createRng, hashedUuid4, hashInts, pick, type Rng, randHex8, randInt, randRange, STREAM } from './rng.ts';

export type BlockType = 'course' | 'chapter' | 'sequential' | 'vertical' | 'problem' | 'video';

/** One row of a course's block tree, in structure order (what `course_blocks` dumps). */
export interface CourseBlock {
  readonly blockType: BlockType;
  /** Usage key, e.g. `block-v1:course-v1:Org0+02453b+0+type@video+block@30745291`. */
  readonly location: string;
  readonly displayName: string;
  /** JSON text: block type, section/subsection/unit counters and the graded flag. */
  readonly xblockDataJson: string;
  readonly order: number;
  readonly graded: boolean;
}

/** One tag applied to one block (what `object_tag` dumps, once per publish). */
export interface ObjectTag {
  readonly objectId: string;
  /** Index into `TAGS`. */
  readonly tagIndex: number;
}

export interface Course {
  readonly index: number;
  readonly org: string;
  /** Six hex digits shared by all runs of one logical course. */
  readonly courseUuid: string;
  readonly run: number;
  readonly sizeName: string;
  readonly makeup: CourseMakeup;
  /** `course-v1:Org0+02453b+0` */
  readonly courseId: string;
  /** `{lms_url}/course/{courseId}`: the xAPI course activity id. */
  readonly courseUrl: string;
  /** `02453b (small)` — identical for every run of a logical course. */
  readonly displayName: string;
  /** Epoch day of the course start. */
  readonly startDay: number;
  /** Epoch day of the course end (`startDay + course_length_days`). */
  readonly endDay: number;
  /** Actor indexes, `makeup.actors` long, duplicates possible (sampled with replacement). */
  readonly enrolledActors: Int32Array;
  /** Enrollment epoch day of each entry of `enrolledActors`. */
  readonly enrollDays: Int32Array;
  readonly chapters: readonly string[];
  readonly sequentials: readonly string[];
  readonly verticals: readonly string[];
  readonly problems: readonly string[];
  readonly videos: readonly string[];
  readonly forumPosts: readonly string[];
  /** videos + problems + verticals + sequences + chapters + forum posts (navigation positions). */
  readonly itemsInCourse: number;
  readonly blocks: readonly CourseBlock[];
  readonly objectTags: readonly ObjectTag[];
  /** Tag ids written into `course_data_json` (`{"tags": [...]}`), so course-tag reports have data. */
  readonly courseTagIds: readonly number[];
}

export interface World {
  readonly config: Config;
  readonly orgs: readonly string[];
  readonly courses: readonly Course[];
  /** `enrollmentOffsets[c]` = number of initial enrollments of courses before `c`; last entry = total. */
  readonly enrollmentOffsets: Int32Array;
  readonly totalEnrollments: number;
}

/** Probability that a subsection (sequential) is graded. Its units, problems and videos inherit it. */
const GRADED_SUBSECTION_PROBABILITY = 0.5;

/** Builds the world for a config. Deterministic: same config → same world. */
export function buildWorld(config: Config): World {
  const rng = createRng([config.seed, STREAM.world]);
  const orgs = Array.from({ length: config.numOrganizations }, (_, i) => `Org${i}`);
  const courses: Course[] = [];
  const usedCourseUuids = new Set<string>();

  for (const size of config.courseSizes) {
    let remaining = size.count;
    while (remaining > 0) {
      const org = pick(rng, orgs);
      const enrolledActors = new Int32Array(size.makeup.actors);
      for (let i = 0; i < enrolledActors.length; i++) enrolledActors[i] = randRange(rng, 0, config.numActors);
      // 1–4 runs per logical course (the original's randrange(1, 5)).
      const runs = randRange(rng, 1, 5);
      let courseUuid = randHex8(rng).slice(0, 6);
      // The original could reuse a key by chance; we redraw so every course key is unique.
      while (usedCourseUuids.has(courseUuid)) courseUuid = randHex8(rng).slice(0, 6);
      usedCourseUuids.add(courseUuid);
      for (let run = 0; run < runs && remaining > 0; run++, remaining--) {
        courses.push(
          buildCourse(rng, config, courses.length, org, courseUuid, run, size.name, size.makeup, enrolledActors),
        );
      }
    }
  }

  const enrollmentOffsets = new Int32Array(courses.length + 1);
  courses.forEach((course, i) => {
    enrollmentOffsets[i + 1] = (enrollmentOffsets[i] as number) + course.enrolledActors.length;
  });
  return { config, orgs, courses, enrollmentOffsets, totalEnrollments: enrollmentOffsets[courses.length] as number };
}

function buildCourse(
  rng: Rng,
  config: Config,
  index: number,
  org: string,
  courseUuid: string,
  run: number,
  sizeName: string,
  makeup: CourseMakeup,
  enrolledActors: Int32Array,
): Course {
  const lms = config.lmsUrl;
  const courseId = `course-v1:${org}+${courseUuid}+${run}`;
  const lastStart = config.endDate - config.startDate - config.courseLengthDays;
  const startDay = config.startDate + randRange(rng, 0, lastStart);
  const endDay = startDay + config.courseLengthDays;
  const enrollDays = new Int32Array(enrolledActors.length);
  for (let i = 0; i < enrollDays.length; i++) enrollDays[i] = randRange(rng, startDay, endDay);

  const usedHex = new Set<string>();
  const uniqueHex = (): string => {
    let hex = randHex8(rng);
    while (usedHex.has(hex)) hex = randHex8(rng);
    usedHex.add(hex);
    return hex;
  };
  const blockIds = (type: BlockType, count: number): string[] =>
    Array.from({ length: count }, () => `${lms}/xblock/block-v1:${courseId}+type@${type}+block@${uniqueHex()}`);

  const chapters = blockIds('chapter', makeup.chapters);
  const sequentials = blockIds('sequential', makeup.sequences);
  const verticals = blockIds('vertical', makeup.verticals);
  const problems = blockIds('problem', makeup.problems);
  const videos = blockIds('video', makeup.videos);
  const forumPosts = Array.from({ length: makeup.forumPosts }, () => `${lms}/api/discussion/v1/threads/${uniqueHex()}`);
  const gradedSequentials = sequentials.map(() => rng.next() < GRADED_SUBSECTION_PROBABILITY);

  const { blocks, objectTags, courseTagIds } = buildBlockTree(rng, {
    org,
    courseUuid,
    run,
    chapters,
    sequentials,
    verticals,
    problems,
    videos,
    gradedSequentials,
    lmsPrefixLength: `${lms}/xblock/`.length,
  });

  return {
    index,
    org,
    courseUuid,
    run,
    sizeName,
    makeup,
    courseId,
    courseUrl: `${lms}/course/${courseId}`,
    displayName: `${courseUuid} (${sizeName})`,
    startDay,
    endDay,
    enrolledActors,
    enrollDays,
    chapters,
    sequentials,
    verticals,
    problems,
    videos,
    forumPosts,
    itemsInCourse:
      videos.length + problems.length + verticals.length + sequentials.length + chapters.length + forumPosts.length,
    blocks,
    objectTags,
    courseTagIds,
  };
}

interface BlockTreeInput {
  readonly org: string;
  readonly courseUuid: string;
  readonly run: number;
  readonly chapters: readonly string[];
  readonly sequentials: readonly string[];
  readonly verticals: readonly string[];
  readonly problems: readonly string[];
  readonly videos: readonly string[];
  readonly gradedSequentials: readonly boolean[];
  readonly lmsPrefixLength: number;
}

interface PendingBlock {
  readonly blockType: BlockType;
  readonly location: string;
  readonly displayName: string;
  readonly order: number;
  /** Own graded flag for sequentials; ignored for other types. */
  readonly gradedSelf: boolean;
}

/**
 * Lays out a course's blocks the way the original does: course + chapters first, then each
 * sequential and vertical inserted at a random index ≥ 2, videos then problems at an index ≥ 4;
 * then one walk assigns section/subsection/unit counters. We add `graded`: a block is graded when
 * the subsection it sits in is graded.
 */
function buildBlockTree(
  rng: Rng,
  input: BlockTreeInput,
): { blocks: CourseBlock[]; objectTags: ObjectTag[]; courseTagIds: number[] } {
  let counter = 1;
  const named = (type: Exclude<BlockType, 'course'>, ids: readonly string[], graded?: readonly boolean[]) =>
    ids.map(
      (id, i): PendingBlock => ({
        blockType: type,
        location: id.slice(input.lmsPrefixLength),
        displayName: `${type[0]?.toUpperCase()}${type.slice(1)} ${counter}`,
        order: counter++,
        gradedSelf: graded?.[i] ?? false,
      }),
    );
  // Display-name counters run videos, problems, chapters, sequentials, verticals (as the original).
  const videos = named('video', input.videos);
  const problems = named('problem', input.problems);
  const chapters = named('chapter', input.chapters);
  const sequentials = named('sequential', input.sequentials, input.gradedSequentials);
  const verticals = named('vertical', input.verticals);
  const courseBlock: PendingBlock = {
    blockType: 'course',
    location: `block-v1:${input.org}+${input.courseUuid}+${input.run}+type@course+block@course`,
    displayName: `Course ${input.courseUuid.slice(0, 5)}`,
    order: 1,
    gradedSelf: false,
  };

  const structure: PendingBlock[] = [courseBlock, ...chapters];
  const insertFrom = (blocks: readonly PendingBlock[], lowest: number) => {
    for (const block of blocks) {
      // randint(lowest, len) inclusive; clamped for tiny courses where the original would crash.
      const at = randInt(rng, Math.min(lowest, structure.length), structure.length);
      structure.splice(at, 0, block);
    }
  };
  insertFrom(sequentials, 2);
  insertFrom(verticals, 2);
  insertFrom(videos, 4);
  insertFrom(problems, 4);

  let section = 0;
  let subsection = 0;
  let unit = 0;
  let subsectionGraded = false;
  const blocks = structure.map((pending): CourseBlock => {
    if (pending.blockType === 'chapter') {
      section++;
      subsection = 0;
      unit = 0;
      subsectionGraded = false;
    } else if (pending.blockType === 'sequential') {
      subsection++;
      unit = 0;
      subsectionGraded = pending.gradedSelf;
    } else if (pending.blockType === 'vertical') {
      unit++;
    }
    const graded = pending.blockType !== 'course' && pending.blockType !== 'chapter' && subsectionGraded;
    return {
      blockType: pending.blockType,
      location: pending.location,
      displayName: pending.displayName,
      order: pending.order,
      graded,
      xblockDataJson: `{"block_type": "${pending.blockType}", "section": ${section}, "subsection": ${subsection}, "unit": ${unit}, "graded": ${graded}}`,
    };
  });

  // Object tags: 0–2 random tags per block, walking types in the original's order. The course
  // block gets 1–2 tags on its real location (the original tagged each character of the course
  // key instead — quirk Q3), and those become the course's tags in course_data_json.
  const objectTags: ObjectTag[] = [];
  const byType = (type: BlockType) => blocks.filter((b) => b.blockType === type);
  for (const type of ['video', 'problem', 'chapter', 'sequential', 'vertical'] as const) {
    for (const block of byType(type)) {
      const count = randRange(rng, 0, 3);
      for (let i = 0; i < count; i++)
        objectTags.push({ objectId: block.location, tagIndex: randRange(rng, 0, TAGS.length) });
    }
  }
  const courseTagIds: number[] = [];
  const courseTagCount = randRange(rng, 1, 3);
  for (let i = 0; i < courseTagCount; i++) {
    const tagIndex = randRange(rng, 0, TAGS.length);
    objectTags.push({ objectId: courseBlock.location, tagIndex });
    const tagId = (TAGS[tagIndex] as (typeof TAGS)[number]).id;
    if (!courseTagIds.includes(tagId)) courseTagIds.push(tagId);
  }
  return { blocks, objectTags, courseTagIds };
}

/** Pools up to this size keep their actors' UUID strings once made (≈ 80 bytes each). */
const ACTOR_ID_CACHE_LIMIT = 250_000;
const actorIdCaches = new WeakMap<Config, (string | undefined)[]>();

/** Actor `i`'s external UUID (the xAPI `actor.account.name` and `external_id.external_user_id`). */
export function actorUuid(config: Config, actorIndex: number): string {
  let cache = actorIdCaches.get(config);
  if (cache === undefined && config.numActors <= ACTOR_ID_CACHE_LIMIT) {
    cache = new Array(config.numActors);
    actorIdCaches.set(config, cache);
  }
  let id = cache?.[actorIndex];
  if (id === undefined) {
    id = hashedUuid4([config.seed, STREAM.actors, actorIndex]);
    if (cache) cache[actorIndex] = id;
  }
  return id;
}

const GENDERS = ['', 'm', 'f', 'o'] as const;
const EDUCATION_LEVELS = ['', 'p', 'm', 'b', 'none', 'other'] as const;
const COUNTRIES = ['', 'US', 'CO', 'AU', 'IN', 'PK'] as const;

export interface ActorProfile {
  readonly yearOfBirth: number;
  readonly gender: string;
  readonly levelOfEducation: string;
  readonly country: string;
}

/** Actor `i`'s profile: fixed for the whole run (every profile dump repeats it). */
export function actorProfile(config: Config, actorIndex: number): ActorProfile {
  const parts = [config.seed, STREAM.actors, actorIndex];
  const uniform = (salt: number, n: number) => Math.floor((hashInts(parts, salt) / 0x1_0000_0000) * n);
  return {
    yearOfBirth: 1900 + uniform(21, 111),
    gender: GENDERS[uniform(22, GENDERS.length)] as string,
    levelOfEducation: EDUCATION_LEVELS[uniform(23, EDUCATION_LEVELS.length)] as string,
    country: COUNTRIES[uniform(24, COUNTRIES.length)] as string,
  };
}

/** Finds the course and enrolled-actor entry of initial enrollment number `k` (0-based). */
export function locateEnrollment(world: World, k: number): { course: Course; entry: number } {
  const offsets = world.enrollmentOffsets;
  let lo = 0;
  let hi = world.courses.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((offsets[mid] as number) <= k) lo = mid;
    else hi = mid - 1;
  }
  return { course: world.courses[lo] as Course, entry: k - (offsets[lo] as number) };
}
