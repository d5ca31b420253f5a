/** The resolved `journeys:` config: its types, defaults and limits. */

/** An inclusive integer range `[lo, hi]`. */
export type IntRange = readonly [number, number];

/** One `course_templates` entry: the shape of every course run built from it. */
export interface CourseTemplate {
  readonly name: string;
  readonly chapters: IntRange;
  readonly sequentialsPerChapter: IntRange;
  readonly verticalsPerSequential: IntRange;
  /** Index = count: `[0.5, 0.3, 0.2]` ⇒ 0 problems half the time. */
  readonly problemsPerVerticalWeights: readonly number[];
  readonly videosPerVerticalWeights: readonly number[];
  readonly gradedSequentialFraction: number;
  /** Seconds, inclusive. */
  readonly videoLength: IntRange;
}

/** One `courses` entry. */
export interface CourseSpec {
  readonly template: string;
  readonly count: number;
  readonly runs: IntRange;
  readonly learners: IntRange;
}

/** What ends a playback stretch. */
export const VIDEO_ACTIONS = ['to_end', 'pause', 'seek', 'abandon', 'terminate'] as const;
export type VideoAction = (typeof VIDEO_ACTIONS)[number];

/** `behavior:` — how learners act. Defaults are upstream's. */
export interface Behavior {
  readonly startProb: number;
  readonly completerFraction: number;
  readonly continueProb: number;
  readonly unitSkipProb: number;
  readonly revisitProb: number;
  readonly exitWithoutNavProb: number;
  readonly problemAttemptProb: number;
  readonly maxAttempts: number;
  readonly videoWatchProb: number;
  readonly secondSessionProb: number;
  readonly daysBetweenSubsections: number;
  readonly videoActions: Readonly<Record<VideoAction, number>>;
  readonly resumeAfterPauseProb: number;
  readonly recentActivityFraction: number;
  readonly recentHours: number;
  readonly sameTimeResumeProb: number;
  readonly duplicateEventProb: number;
  /** Success chance of attempt a (1-based) is entry a−1; the last entry repeats (upstream hard-codes 0.6, 0.8, 1.0). */
  readonly problemSuccessProbs: readonly number[];
  /** A problem's max score is uniform in this range (upstream hard-codes 1..10). */
  readonly maxScore: IntRange;
}

/** The validated journeys configuration. */
export interface JourneysConfig {
  readonly seed: number;
  /** Reference time, epoch microseconds (UTC). */
  readonly nowUs: number;
  readonly outputDir: string;
  readonly windowDays: number;
  readonly courseLengthDays: number;
  readonly runningCourseFraction: number;
  readonly numOrganizations: number;
  readonly orgPrefix: string;
  readonly numActors: number;
  readonly firstUserId: number;
  readonly mboxActorFraction: number;
  readonly numActorProfileChanges: number;
  readonly coursePublishes: number;
  readonly deletedUnitCourseFraction: number;
  readonly sortEvents: boolean;
  readonly numWorkers: number;
  readonly courses: readonly CourseSpec[];
  readonly templates: Readonly<Record<string, CourseTemplate>>;
  readonly behavior: Behavior;
  readonly lmsUrl: string;
  /** Top-level keys load-journeys uses; `null` when absent. */
  readonly eventSinkDbName: string | null;
  readonly expectedDbName: string | null;
  /** The `journeys` mapping after CLI overrides, echoed in manifest.json. */
  readonly echo: Readonly<Record<string, unknown>>;
}

export const DEFAULT_BEHAVIOR: Behavior = Object.freeze({
  startProb: 0.8,
  completerFraction: 0.15,
  continueProb: 0.9,
  unitSkipProb: 0.08,
  revisitProb: 0.05,
  exitWithoutNavProb: 0.7,
  problemAttemptProb: 0.8,
  maxAttempts: 3,
  videoWatchProb: 0.75,
  secondSessionProb: 0.15,
  daysBetweenSubsections: 2.0,
  videoActions: Object.freeze({ to_end: 0.35, pause: 0.25, seek: 0.15, abandon: 0.1, terminate: 0.15 }),
  resumeAfterPauseProb: 0.6,
  recentActivityFraction: 0.05,
  recentHours: 12.0,
  sameTimeResumeProb: 0.0,
  duplicateEventProb: 0.0,
  problemSuccessProbs: Object.freeze([0.6, 0.8, 1.0]),
  maxScore: Object.freeze([1, 10]) as IntRange,
});

/** Command-line overrides, applied before validation. */
export interface JourneysOverrides {
  readonly outputDir?: string;
  readonly seed?: number;
  readonly now?: string;
}

/** Upstream's data TTL is `emission_time + 1 YEAR`: older events would vanish after loading. */
export const MAX_WINDOW_DAYS = 365;
