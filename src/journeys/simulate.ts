/**
 * One enrollment's journey (reference §3.5–3.7): the events it emits and the truth the oracle
 * needs (viewed units, attempted problems, video truth segments and the video event stream).
 *
 * Rules that make the truth checkable against the events:
 * - an event later than the simulator's `now` is not emitted and consumes no randomness;
 * - the truth records only what emitted events show (a view needs its navigation event, an
 *   attempt its `evaluated` event), except video truth, which counts seconds actually played
 *   up to `now` whatever was emitted (that is the truth/observable difference).
 */

import { createRng, pick, type Rng, randInt, randUuid4 } from '../generate/rng.ts';
import type { Behavior, JourneysConfig, VideoAction } from './config.ts';
import { VIDEO_ACTIONS } from './config.ts';
import { type Actor, type Block, type CourseStructure, JSTREAM, type RunPlan, type UnitNode } from './plan.ts';
import type { VerbName } from './statements.ts';
import { US_PER_DAY, US_PER_SECOND } from './time.ts';

export const ENROLLMENT_MODES = ['audit', 'honor', 'verified'] as const;

/** One emitted event; statement text is rendered later (recent activity shifts times). */
export interface SimEvent {
  timeUs: number;
  readonly id: string;
  readonly verb: VerbName;
  /** The object: course URL for registered, else a block location. */
  readonly object: string;
  /** Verb-specific slot values (JSON text for raw slots). */
  readonly values: Readonly<Record<string, string>>;
  /** Written twice (same id, time and text). */
  readonly duplicated: boolean;
}

/** A video event as the oracle's stream sees it (initialized excluded, duplicates once). */
export interface StreamEvent {
  timeUs: number;
  readonly id: string;
  readonly verb: VerbName;
  /** `time` for played/paused/terminated, the length for completed, `time-from` for seeked. */
  readonly position: number;
}

export interface VideoTruth {
  readonly block: Block;
  /** Playback actually done, seconds `[from, to)`. */
  readonly truth: Array<readonly [number, number]>;
  readonly stream: StreamEvent[];
}

export interface ProblemTruth {
  readonly block: Block;
  /** Attempts with an emitted `evaluated`. */
  attempts: number;
  firstAttemptSuccess: boolean;
  /** The last evaluated attempt. */
  success: boolean;
  rawScore: number;
  readonly maxScore: number;
}

export interface EnrollmentResult {
  readonly actor: Actor;
  readonly mode: (typeof ENROLLMENT_MODES)[number];
  readonly events: SimEvent[];
  readonly viewedUnits: Set<string>;
  readonly problems: Map<string, ProblemTruth>;
  /** Keyed by video location, in first-opened order. */
  readonly videos: Map<string, VideoTruth>;
  /** Learner went past registration. */
  readonly started: boolean;
  /** The journey was shifted to end within `recent_hours` of now. */
  readonly recent: boolean;
  /** Some pause was followed by a play with the very same timestamp. */
  sameInstantResumes: number;
}

const s = (seconds: number): number => seconds * US_PER_SECOND;

/** Python-style float text for a whole-second position (`30.0`). */
const pyf = (n: number): string => (Number.isInteger(n) ? `${n}.0` : String(n));

function chooseAction(rng: Rng, actions: Readonly<Record<VideoAction, number>>): VideoAction {
  let total = 0;
  for (const a of VIDEO_ACTIONS) total += actions[a];
  let x = rng.next() * total;
  for (const a of VIDEO_ACTIONS) {
    x -= actions[a];
    if (x < 0 && actions[a] > 0) return a;
  }
  return VIDEO_ACTIONS.findLast((a) => actions[a] > 0) ?? 'to_end';
}

class Journey {
  t = 0;
  readonly events: SimEvent[] = [];
  readonly viewedUnits = new Set<string>();
  readonly problems = new Map<string, ProblemTruth>();
  readonly videos = new Map<string, VideoTruth>();
  sameInstantResumes = 0;
  private readonly b: Behavior;
  readonly rng: Rng;
  private readonly ids: Rng;
  private readonly dups: Rng;
  readonly nowUs: number;

  constructor(rng: Rng, ids: Rng, dups: Rng, nowUs: number, config: JourneysConfig) {
    this.rng = rng;
    this.ids = ids;
    this.dups = dups;
    this.nowUs = nowUs;
    this.b = config.behavior;
  }

  coin(p: number): boolean {
    return this.rng.next() < p;
  }

  /** Emits at time `at` unless it is after now; returns the event or null. */
  emit(at: number, verb: VerbName, object: string, values: Record<string, string>): SimEvent | null {
    if (at > this.nowUs) return null;
    const event: SimEvent = {
      timeUs: at,
      id: randUuid4(this.ids),
      verb,
      object,
      values,
      duplicated: this.dups.next() < this.b.duplicateEventProb,
    };
    this.events.push(event);
    return event;
  }

  navigate(units: readonly UnitNode[], from: number, ending: string): void {
    const unit = units[from] as UnitNode;
    const event = this.emit(this.t, 'navigated', unit.block.location, {
      startingPosition: String(from + 1),
      endingPoint: ending,
      totalItems: String(units.length),
    });
    if (event) this.viewedUnits.add(unit.block.location);
  }

  subsection(units: readonly UnitNode[], stopping: boolean): void {
    let u = 0;
    const n = units.length;
    while (u < n) {
      this.workUnit(units[u] as UnitNode);
      const final = u === n - 1;
      if (final && stopping && this.coin(this.b.exitWithoutNavProb)) return;
      this.t += s(randInt(this.rng, 2, 20));
      if (!final && u > 0 && this.coin(this.b.revisitProb)) {
        this.navigate(units, u, 'previous unit');
        this.t += s(randInt(this.rng, 10, 120));
        this.navigate(units, u - 1, 'next unit');
        this.t += s(randInt(this.rng, 2, 20));
      }
      if (!final && u + 2 < n && this.coin(this.b.unitSkipProb)) {
        this.navigate(units, u, String(u + 3));
        u += 2;
      } else {
        this.navigate(units, u, 'next unit');
        u += 1;
      }
    }
  }

  workUnit(unit: UnitNode): void {
    this.t += s(randInt(this.rng, 15, 240));
    for (const video of unit.videos) {
      if (this.t > this.nowUs) return;
      if (this.coin(this.b.videoWatchProb)) {
        this.videoSession(video);
        if (this.coin(this.b.secondSessionProb)) {
          this.t += s(300);
          this.videoSession(video);
        }
      }
    }
    for (const problem of unit.problems) {
      if (this.t > this.nowUs) return;
      if (this.coin(this.b.problemAttemptProb)) this.attempts(problem);
    }
  }

  attempts(block: Block): void {
    const maxScore = randInt(this.rng, this.b.maxScore[0], this.b.maxScore[1]);
    const n = randInt(this.rng, 1, this.b.maxAttempts);
    const curve = this.b.problemSuccessProbs;
    for (let a = 1; a <= n; a++) {
      this.t += s(randInt(this.rng, 20, 300));
      if (this.t > this.nowUs) return;
      const success = this.coin(curve[Math.min(a, curve.length) - 1] as number);
      const raw = success ? maxScore : randInt(this.rng, 0, maxScore - 1);
      this.emit(this.t, 'attempted', block.location, {});
      this.t += s(1);
      const evaluated = this.emit(this.t, 'evaluated', block.location, {
        attemptId: String(a),
        response: success ? 'A correct answer' : 'An incorrect answer',
        scaled: String(raw / maxScore),
        scoreRaw: String(raw),
        scoreMax: String(maxScore),
        success: success ? 'true' : 'false',
      });
      if (evaluated) {
        let truth = this.problems.get(block.location);
        if (!truth) {
          truth = { block, attempts: 0, firstAttemptSuccess: success, success, rawScore: raw, maxScore };
          this.problems.set(block.location, truth);
        }
        truth.attempts += 1;
        truth.success = success;
        truth.rawScore = raw;
      }
      if (success) return;
    }
  }

  videoEvent(
    video: VideoTruth,
    at: number,
    verb: VerbName,
    position: number,
    values: Record<string, string>,
  ): SimEvent | null {
    const event = this.emit(at, verb, video.block.location, { length: pyf(video.block.lengthSeconds), ...values });
    if (event && verb !== 'initialized') video.stream.push({ timeUs: at, id: event.id, verb, position });
    return event;
  }

  videoSession(block: Block): void {
    let video = this.videos.get(block.location);
    if (!video) {
      video = { block, truth: [], stream: [] };
      this.videos.set(block.location, video);
    }
    if (this.t > this.nowUs) return;
    const length = block.lengthSeconds;
    const threshold = Math.ceil(0.95 * length);
    this.videoEvent(video, this.t, 'initialized', 0, {});
    this.t += s(randInt(this.rng, 1, 10));
    let pos = 0;
    this.videoEvent(video, this.t, 'played', 0, { time: pyf(0) });
    let completedSent = false;
    for (;;) {
      const action = chooseAction(this.rng, this.b.videoActions);
      const stop = action === 'to_end' || length - pos <= 5 ? length : randInt(this.rng, pos + 1, length - 1);
      const startT = this.t;
      this.t = startT + s(stop - pos);
      const playedUpToNow =
        this.nowUs === Number.POSITIVE_INFINITY ? stop - pos : Math.floor((this.nowUs - startT) / US_PER_SECOND);
      const played = Math.min(stop - pos, playedUpToNow);
      if (played > 0) video.truth.push([pos, pos + played]);
      if (!completedSent && stop >= threshold) {
        completedSent = true;
        // Strictly inside the stretch and strictly before its closing event.
        const at = Math.min(startT + Math.round((Math.max(threshold - pos, 0) + 0.25) * US_PER_SECOND), this.t - 1000);
        this.videoEvent(video, at, 'completed', length, { time: pyf(length) });
      }
      if (this.t > this.nowUs) return;
      if (stop === length) {
        this.videoEvent(video, this.t, 'terminated', length, { time: pyf(length) });
        return;
      }
      if (action === 'abandon') return;
      if (action === 'terminate') {
        this.videoEvent(video, this.t, 'terminated', stop, { time: pyf(stop) });
        return;
      }
      if (action === 'pause') {
        const pausedAt = this.t;
        this.videoEvent(video, this.t, 'paused', stop, { time: pyf(stop) });
        if (!this.coin(this.b.resumeAfterPauseProb)) return;
        if (!this.coin(this.b.sameTimeResumeProb)) this.t += s(randInt(this.rng, 2, 120));
        pos = stop;
        const play = this.videoEvent(video, this.t, 'played', pos, { time: pyf(pos) });
        if (play && this.t === pausedAt) this.sameInstantResumes += 1;
        continue;
      }
      // seek
      const target = randInt(this.rng, 0, length - 1);
      this.videoEvent(video, this.t, 'seeked', stop, { timeFrom: pyf(stop), timeTo: pyf(target) });
      this.t += s(1);
      pos = target;
      this.videoEvent(video, this.t, 'played', pos, { time: pyf(pos) });
    }
  }
}

function runJourney(
  config: JourneysConfig,
  run: RunPlan,
  structure: CourseStructure,
  actor: Actor,
  nowUs: number,
  courseUrl: string,
): { journey: Journey; mode: (typeof ENROLLMENT_MODES)[number]; started: boolean } {
  const key = [config.seed, JSTREAM.enrollment, ...run.key, actor.index];
  const rng = createRng(key);
  const journey = new Journey(
    rng,
    createRng([config.seed, JSTREAM.eventId, ...run.key, actor.index]),
    createRng([config.seed, JSTREAM.duplicate, ...run.key, actor.index]),
    nowUs,
    config,
  );
  const b = config.behavior;
  const enrollUs = run.startUs + Math.floor((run.endUs - run.startUs) * rng.next() * 0.6);
  const mode = pick(rng, ENROLLMENT_MODES);
  journey.emit(enrollUs, 'registered', courseUrl, { mode });
  if (!journey.coin(b.startProb)) return { journey, mode, started: false };
  const completer = journey.coin(b.completerFraction);
  journey.t = enrollUs + randInt(rng, 1, 600) * 60 * US_PER_SECOND;
  const subsections = structure.sections.flatMap((section) => section.subsections);
  for (let i = 0; i < subsections.length; i++) {
    if (journey.t > nowUs) break;
    const stopping = i === subsections.length - 1 || (!completer && !journey.coin(b.continueProb));
    journey.subsection((subsections[i] as (typeof subsections)[number]).units, stopping);
    if (stopping) break;
    journey.t += Math.round(-Math.log(1 - rng.next()) * b.daysBetweenSubsections * US_PER_DAY);
  }
  return { journey, mode, started: true };
}

/**
 * Simulates one enrollment. Recent activity (running courses): the journey is simulated with
 * nothing cut and shifted so its last event lands within `recent_hours` of now; when the shift
 * would move it before the course start, the learner is simulated normally instead (upstream
 * shifted regardless, reference §9 quirk 8).
 */
export function simulateEnrollment(
  config: JourneysConfig,
  run: RunPlan,
  structure: CourseStructure,
  actor: Actor,
  courseUrl: string,
): EnrollmentResult {
  const recentRng = createRng([config.seed, JSTREAM.recent, ...run.key, actor.index]);
  const wantsRecent = run.running && recentRng.next() < config.behavior.recentActivityFraction;
  const targetLatest = config.nowUs - Math.round(recentRng.next() * config.behavior.recentHours * 3600 * US_PER_SECOND);
  if (wantsRecent) {
    const open = runJourney(config, run, structure, actor, Number.POSITIVE_INFINITY, courseUrl);
    const events = open.journey.events;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const e of events) {
      if (e.timeUs < first) first = e.timeUs;
      if (e.timeUs > last) last = e.timeUs;
    }
    const offset = targetLatest - last;
    if (first + offset >= run.startUs) {
      for (const e of events) e.timeUs += offset;
      for (const v of open.journey.videos.values()) for (const e of v.stream) e.timeUs += offset;
      return result(actor, open, true);
    }
  }
  return result(actor, runJourney(config, run, structure, actor, config.nowUs, courseUrl), false);
}

function result(
  actor: Actor,
  sim: { journey: Journey; mode: (typeof ENROLLMENT_MODES)[number]; started: boolean },
  recent: boolean,
): EnrollmentResult {
  const j = sim.journey;
  return {
    actor,
    mode: sim.mode,
    events: j.events,
    viewedUnits: j.viewedUnits,
    problems: j.problems,
    videos: j.videos,
    started: sim.started,
    recent,
    sameInstantResumes: j.sameInstantResumes,
  };
}
