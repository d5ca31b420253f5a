/**
 * The journeys world: actors, organizations, course runs and their structures. Every course
 * run draws from its own streams keyed by (entry, course, run), so editing one `courses` entry
 * or any behaviour setting leaves every other course's keys, structure and learners unchanged
 * (upstream drew everything from one generator, reference §9 quirk 10).
 */

import { createRng, hashedUuid4, pick, type Rng, randInt, randUuid4 } from '../generate/rng.ts';
import type { CourseTemplate, JourneysConfig } from './config.ts';
import { US_PER_DAY } from './time.ts';

/** Random stream ids of the journeys generator (load-db's ids are below 100). */
export const JSTREAM = {
  actor: 101,
  course: 102,
  structure: 103,
  enrollment: 104,
  duplicate: 105,
  dump: 106,
  profile: 107,
  eventId: 108,
  sample: 109,
  runMeta: 110,
  recent: 111,
  externalId: 112,
} as const;

export interface Actor {
  readonly index: number;
  readonly externalId: string;
  readonly userId: number;
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly mbox: boolean;
  /** What Aspects sees as `actor_id`: the external UUID or `mailto:<email>`. */
  readonly actorId: string;
}

/**
 * Names derive from the user id, which `first_user_id` moves clear of load-db's learners;
 * upstream's `actor_<i>` collided with load-db's names and emails (reference §9 quirk 2).
 */
export function buildActors(config: JourneysConfig): Actor[] {
  const actors: Actor[] = [];
  for (let i = 0; i < config.numActors; i++) {
    const rng = createRng([config.seed, JSTREAM.actor, i]);
    const externalId = randUuid4(rng);
    const mbox = rng.next() < config.mboxActorFraction;
    const userId = config.firstUserId + i;
    // example.com (RFC 2606), not .invalid: Ralph validates mbox addresses and rejects the
    // special-use .invalid domain, so mailto: actors could not travel the Ralph route.
    const email = `journey_${userId}@example.com`;
    actors.push({
      index: i,
      externalId,
      userId,
      username: `journey_${userId}`,
      name: `Journey Learner ${userId}`,
      email,
      mbox,
      actorId: mbox ? `mailto:${email}` : externalId,
    });
  }
  return actors;
}

export type BlockType = 'course' | 'chapter' | 'sequential' | 'vertical' | 'video' | 'problem';

export interface Block {
  readonly type: BlockType;
  readonly location: string;
  readonly displayName: string;
  readonly section: number;
  readonly subsection: number;
  readonly unit: number;
  readonly graded: boolean;
  readonly order: number;
  /** Videos only: whole seconds. */
  readonly lengthSeconds: number;
}

export interface UnitNode {
  readonly block: Block;
  readonly videos: readonly Block[];
  readonly problems: readonly Block[];
}
export interface SubsectionNode {
  readonly block: Block;
  readonly units: readonly UnitNode[];
}
export interface SectionNode {
  readonly block: Block;
  readonly subsections: readonly SubsectionNode[];
}

export interface CourseStructure {
  readonly courseBlock: Block;
  readonly sections: readonly SectionNode[];
  /** In every publish but the last; never simulated or counted. */
  readonly deletedUnit: Block | null;
  /** Course block, then depth-first (videos before problems in a unit): the block rows' order. */
  readonly blocks: readonly Block[];
}

/** One course run, without its structure (built on demand: it is the bulk of the memory). */
export interface RunPlan {
  /** 0-based position among all runs, in file order. */
  readonly index: number;
  /** (entry, course, run): the key of every stream of this run. */
  readonly key: readonly [number, number, number];
  readonly org: string;
  readonly code: string;
  readonly courseKey: string;
  readonly displayName: string;
  readonly template: CourseTemplate;
  readonly startUs: number;
  readonly endUs: number;
  readonly running: boolean;
  readonly learnerCount: number;
  readonly withDeletedUnit: boolean;
}

export interface JourneysPlan {
  readonly config: JourneysConfig;
  readonly actors: readonly Actor[];
  readonly runs: readonly RunPlan[];
}

export function planJourneys(config: JourneysConfig): JourneysPlan {
  const orgs = Array.from({ length: config.numOrganizations }, (_, i) => `${config.orgPrefix}${i}`);
  const runs: RunPlan[] = [];
  const windowUs = config.windowDays * US_PER_DAY;
  const lengthUs = config.courseLengthDays * US_PER_DAY;
  config.courses.forEach((spec, entry) => {
    const template = config.templates[spec.template] as CourseTemplate;
    for (let course = 0; course < spec.count; course++) {
      const rng = createRng([config.seed, JSTREAM.course, entry, course]);
      const org = pick(rng, orgs);
      const code = randUuid4(rng).slice(0, 6);
      const runCount = randInt(rng, spec.runs[0], spec.runs[1]);
      for (let run = 0; run < runCount; run++) {
        const meta = createRng([config.seed, JSTREAM.runMeta, entry, course, run]);
        const running = meta.next() < config.runningCourseFraction;
        // A finished course ends strictly before now, so "running" is the flag, not `end == now`
        // (with window_days == course_length_days every course used to count as running, quirk 16).
        const endUs = running
          ? config.nowUs
          : config.nowUs - Math.max(1, Math.round(meta.next() * (windowUs - lengthUs)));
        const withDeletedUnit = meta.next() < config.deletedUnitCourseFraction;
        const learnerCount = Math.min(randInt(meta, spec.learners[0], spec.learners[1]), config.numActors);
        const courseKey = `course-v1:${org}+${code}+run${run}`;
        runs.push({
          index: runs.length,
          key: [entry, course, run],
          org,
          code,
          courseKey,
          displayName: `${code} (${template.name})`,
          template,
          startUs: endUs - lengthUs,
          endUs,
          running,
          learnerCount,
          withDeletedUnit,
        });
      }
    }
  });
  return { config, actors: buildActors(config), runs };
}

/** `[0.5, 0.3, 0.2]` → 0, 1 or 2 with those weights. */
export function weightedIndex(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] as number;
    if (x < 0 && (weights[i] as number) > 0) return i;
  }
  // Rounding at the top end: the last positive weight.
  for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] as number) > 0) return i;
  return 0;
}

function blockHex(rng: Rng): string {
  return randUuid4(rng).replaceAll('-', '').slice(0, 16);
}

export function buildStructure(config: JourneysConfig, run: RunPlan): CourseStructure {
  const rng = createRng([config.seed, JSTREAM.structure, ...run.key]);
  const t = run.template;
  const prefix = `block-v1:${run.org}+${run.code}+run${run.key[2]}`;
  const loc = (type: BlockType) => `${prefix}+type@${type}+block@${blockHex(rng)}`;
  let order = 0;
  const make = (
    type: BlockType,
    displayName: string,
    s: number,
    ss: number,
    u: number,
    graded: boolean,
    lengthSeconds = 0,
  ): Block => ({
    type,
    location: loc(type),
    displayName,
    section: s,
    subsection: ss,
    unit: u,
    graded,
    order: ++order,
    lengthSeconds,
  });
  const courseBlock: Block = {
    type: 'course',
    location: `${prefix}+type@course+block@course`,
    displayName: run.displayName,
    section: 0,
    subsection: 0,
    unit: 0,
    graded: false,
    order: 0,
    lengthSeconds: 0,
  };
  const blocks: Block[] = [courseBlock];
  const sections: SectionNode[] = [];
  const chapters = randInt(rng, t.chapters[0], t.chapters[1]);
  for (let s = 1; s <= chapters; s++) {
    const chapter = make('chapter', `Section ${s}`, s, 0, 0, false);
    blocks.push(chapter);
    const subsections: SubsectionNode[] = [];
    const seqs = randInt(rng, t.sequentialsPerChapter[0], t.sequentialsPerChapter[1]);
    for (let ss = 1; ss <= seqs; ss++) {
      const graded = rng.next() < t.gradedSequentialFraction;
      const sequential = make('sequential', `Subsection ${s}.${ss}`, s, ss, 0, graded);
      blocks.push(sequential);
      const units: UnitNode[] = [];
      const verts = randInt(rng, t.verticalsPerSequential[0], t.verticalsPerSequential[1]);
      for (let u = 1; u <= verts; u++) {
        const vertical = make('vertical', `Unit ${s}.${ss}.${u}`, s, ss, u, graded);
        blocks.push(vertical);
        const videoCount = weightedIndex(rng, t.videosPerVerticalWeights);
        const problemCount = weightedIndex(rng, t.problemsPerVerticalWeights);
        const videos: Block[] = [];
        const problems: Block[] = [];
        for (let k = 1; k <= videoCount; k++) {
          const length = randInt(rng, t.videoLength[0], t.videoLength[1]);
          videos.push(make('video', `Video ${s}.${ss}.${u}.${k}`, s, ss, u, graded, length));
        }
        for (let k = 1; k <= problemCount; k++)
          problems.push(make('problem', `Problem ${s}.${ss}.${u}.${k}`, s, ss, u, graded));
        blocks.push(...videos, ...problems);
        units.push({ block: vertical, videos, problems });
      }
      subsections.push({ block: sequential, units });
    }
    sections.push({ block: chapter, subsections });
  }
  let deletedUnit: Block | null = null;
  const first = sections[0]?.subsections[0];
  if (run.withDeletedUnit && first) {
    const b = first.block;
    deletedUnit = make(
      'vertical',
      `Unit ${b.section}.${b.subsection}.${first.units.length + 1} (deleted)`,
      b.section,
      b.subsection,
      first.units.length + 1,
      b.graded,
    );
  }
  return { courseBlock, sections, deletedUnit, blocks };
}

/**
 * The run's learners: a uniform sample without replacement, in sample order (a partial
 * Fisher–Yates shuffle over a sparse map, so the cost is the sample size, not the pool size).
 */
export function sampleLearners(config: JourneysConfig, run: RunPlan): number[] {
  const rng = createRng([config.seed, JSTREAM.sample, ...run.key]);
  const n = config.numActors;
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < run.learnerCount; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    const atJ = swapped.get(j) ?? j;
    const atI = swapped.get(i) ?? i;
    swapped.set(j, atI);
    out.push(atJ);
  }
  return out;
}

/** `dump_id` of a course run's publish p (its course row and block rows share it). */
export function courseDumpId(config: JourneysConfig, run: RunPlan, publish: number): string {
  return hashedUuid4([config.seed, JSTREAM.dump, ...run.key, publish]);
}
