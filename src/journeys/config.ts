/**
 * The `journeys:` config (upstream xapi-db-load's learner-journey generator): read the raw
 * mapping → normalize renamed keys → check every key → a frozen `JourneysConfig`. Every problem
 * is collected and thrown as one `ConfigError` (exit 2) before any work starts.
 */

import { ACCEPTED_KEYS } from '../config/keys.ts';
import { suggest } from '../config/suggest.ts';
import { describeValue, INVALID, identifier, lmsBaseUrl, mappingEntries } from '../config/values.ts';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import {
  type Behavior,
  type CourseSpec,
  type CourseTemplate,
  DEFAULT_BEHAVIOR,
  type IntRange,
  type JourneysConfig,
  type JourneysOverrides,
  MAX_WINDOW_DAYS,
  VIDEO_ACTIONS,
  type VideoAction,
} from './config-types.ts';
import { parseNow } from './time.ts';

// The types and defaults live in config-types.ts; their names stay importable here.
export * from './config-types.ts';

/** Below this a video has no room for a pause or seek before its end. */
const MIN_VIDEO_SECONDS = 6;

type Kind = 'prob' | 'nonneg' | 'int0' | 'int1' | 'positive' | 'bool' | 'range0' | 'range1' | 'weights';

const EXPECTED: Record<Kind, string> = {
  prob: 'a number from 0 to 1',
  nonneg: 'a non-negative number',
  int0: 'a non-negative integer',
  int1: 'a positive integer',
  positive: 'a number greater than 0',
  bool: 'true or false',
  range0: 'a list [lo, hi] of integers with 0 ≤ lo ≤ hi',
  range1: 'a list [lo, hi] of integers with 1 ≤ lo ≤ hi',
  weights: 'a non-empty list of non-negative numbers, not all 0',
};

function parseKind(kind: Kind, value: unknown): unknown {
  const isNum = typeof value === 'number' && Number.isFinite(value);
  switch (kind) {
    case 'prob':
      return isNum && value >= 0 && value <= 1 ? value : INVALID;
    case 'nonneg':
      return isNum && value >= 0 ? value : INVALID;
    case 'int0':
      return isNum && Number.isSafeInteger(value) && value >= 0 ? value : INVALID;
    case 'int1':
      return isNum && Number.isSafeInteger(value) && value >= 1 ? value : INVALID;
    case 'positive':
      return isNum && value > 0 ? value : INVALID;
    case 'bool':
      return typeof value === 'boolean' ? value : INVALID;
    case 'range0':
    case 'range1': {
      const min = kind === 'range0' ? 0 : 1;
      if (!Array.isArray(value) || value.length !== 2) return INVALID;
      const [lo, hi] = value as unknown[];
      const ok = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;
      return ok(lo) && ok(hi) && lo <= hi ? Object.freeze([lo, hi]) : INVALID;
    }
    case 'weights': {
      if (!Array.isArray(value) || value.length === 0) return INVALID;
      const ws = value as unknown[];
      if (!ws.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0)) return INVALID;
      return (ws as number[]).some((w) => w > 0) ? Object.freeze([...(ws as number[])]) : INVALID;
    }
  }
}

/** Collects problems and reads keys out of one mapping, remembering which were used. */
class Reader {
  private readonly used = new Set<string>();
  readonly entries: Map<string, unknown>;
  readonly path: string;
  readonly problems: ConfigProblem[];

  constructor(path: string, raw: Map<string, unknown>, problems: ConfigProblem[]) {
    this.path = path;
    this.entries = raw;
    this.problems = problems;
  }

  name(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.entries.has(key) && this.entries.get(key) !== undefined;
  }

  raw(key: string): unknown {
    this.used.add(key);
    return this.entries.get(key);
  }

  add(key: string, message: string): void {
    this.problems.push({ key: this.name(key), message: `${this.name(key)}: ${message}` });
  }

  /** A key by one of its spellings (first present wins; both present is reported). */
  pick(keys: readonly string[]): string | undefined {
    const present = keys.filter((k) => this.has(k));
    for (const k of keys) this.used.add(k);
    if (present.length > 1) {
      this.add(present[1] as string, `also given as "${this.name(present[0] as string)}"; set only one spelling`);
    }
    return present[0];
  }

  get<T>(kind: Kind, keys: string | readonly string[], fallback: T | undefined): T {
    const list = typeof keys === 'string' ? [keys] : keys;
    const key = this.pick(list);
    if (key === undefined) {
      if (fallback === undefined) {
        this.add(list[0] as string, `missing; expected ${EXPECTED[kind]}`);
        return undefined as T;
      }
      return fallback;
    }
    const value = this.entries.get(key);
    const parsed = parseKind(kind, value);
    if (parsed === INVALID) {
      this.add(key, `got ${describeValue(value)}; expected ${EXPECTED[kind]}`);
      return (fallback ?? undefined) as T;
    }
    return parsed as T;
  }

  /** Reports keys never read, with a suggestion. */
  unknown(describe: (key: string) => string = (_k) => `unknown key`): void {
    const known = [...this.used];
    for (const key of this.entries.keys()) {
      if (this.used.has(key)) continue;
      const guess = suggest(key, known);
      this.add(key, `${describe(key)}${guess ? `; did you mean "${guess}"?` : ''}`);
    }
  }
}

function asMap(value: unknown): Map<string, unknown> | null {
  const entries = mappingEntries(value);
  return entries === null ? null : new Map(entries);
}

/** Renders a value as plain JSON-able data for the manifest echo. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  const entries = mappingEntries(value);
  if (entries !== null) return Object.fromEntries(entries.map(([k, v]) => [k, plain(v)]));
  return value;
}

function readTemplate(name: string, raw: unknown, problems: ConfigProblem[]): CourseTemplate | null {
  const map = asMap(raw);
  const path = `journeys.course_templates.${name}`;
  if (map === null) {
    problems.push({ key: path, message: `${path}: got ${describeValue(raw)}; expected a mapping of template keys` });
    return null;
  }
  const r = new Reader(path, map, problems);
  const videoLength = r.get<IntRange>('range1', 'video_length', [60, 900]);
  if (videoLength && videoLength[0] < MIN_VIDEO_SECONDS) {
    r.add('video_length', `got [${videoLength.join(', ')}]; expected lengths of at least ${MIN_VIDEO_SECONDS} seconds`);
  }
  const template: CourseTemplate = {
    name,
    chapters: r.get<IntRange>('range1', 'chapters', undefined),
    sequentialsPerChapter: r.get<IntRange>('range1', 'sequentials_per_chapter', undefined),
    verticalsPerSequential: r.get<IntRange>('range1', 'verticals_per_sequential', undefined),
    problemsPerVerticalWeights: r.get<readonly number[]>(
      'weights',
      ['problems_per_vertical_weights', 'problems_per_vertical'],
      undefined,
    ),
    videosPerVerticalWeights: r.get<readonly number[]>(
      'weights',
      ['videos_per_vertical_weights', 'videos_per_vertical'],
      undefined,
    ),
    gradedSequentialFraction: r.get('prob', 'graded_sequential_fraction', 0.3),
    videoLength,
  };
  r.unknown();
  return Object.freeze(template);
}

function readBehavior(raw: unknown, problems: ConfigProblem[]): Behavior {
  if (raw === undefined || raw === null) return DEFAULT_BEHAVIOR;
  const map = asMap(raw);
  if (map === null) {
    problems.push({
      key: 'journeys.behavior',
      message: `journeys.behavior: got ${describeValue(raw)}; expected a mapping`,
    });
    return DEFAULT_BEHAVIOR;
  }
  const r = new Reader('journeys.behavior', map, problems);
  const d = DEFAULT_BEHAVIOR;
  let videoActions = d.videoActions;
  if (r.has('video_actions')) {
    const actions = asMap(r.raw('video_actions'));
    if (actions === null) {
      r.add(
        'video_actions',
        `got ${describeValue(map.get('video_actions'))}; expected a mapping of ${VIDEO_ACTIONS.join(', ')} to weights`,
      );
    } else {
      // Upstream treats an unknown action name as "seek"; a typo is far likelier, so refuse it.
      const ar = new Reader('journeys.behavior.video_actions', actions, problems);
      const weights = Object.fromEntries(VIDEO_ACTIONS.map((a) => [a, ar.get<number>('nonneg', a, -1)])) as Record<
        VideoAction,
        number
      >;
      for (const a of VIDEO_ACTIONS) if (!ar.has(a)) weights[a] = 0;
      ar.unknown(() => `unknown video action; expected one of ${VIDEO_ACTIONS.join(', ')}`);
      const invalid = VIDEO_ACTIONS.some((a) => weights[a] < 0);
      if (!invalid && VIDEO_ACTIONS.every((a) => weights[a] === 0)) {
        r.add('video_actions', 'all weights are 0; expected at least one positive weight');
      }
      videoActions = Object.freeze(weights);
    }
  }
  const behavior: Behavior = {
    startProb: r.get('prob', 'start_prob', d.startProb),
    completerFraction: r.get('prob', 'completer_fraction', d.completerFraction),
    continueProb: r.get('prob', 'continue_prob', d.continueProb),
    unitSkipProb: r.get('prob', 'unit_skip_prob', d.unitSkipProb),
    revisitProb: r.get('prob', 'revisit_prob', d.revisitProb),
    exitWithoutNavProb: r.get('prob', 'exit_without_nav_prob', d.exitWithoutNavProb),
    problemAttemptProb: r.get('prob', 'problem_attempt_prob', d.problemAttemptProb),
    maxAttempts: r.get('int1', 'max_attempts', d.maxAttempts),
    videoWatchProb: r.get('prob', 'video_watch_prob', d.videoWatchProb),
    secondSessionProb: r.get('prob', 'second_session_prob', d.secondSessionProb),
    daysBetweenSubsections: r.get('positive', 'days_between_subsections', d.daysBetweenSubsections),
    videoActions,
    resumeAfterPauseProb: r.get('prob', 'resume_after_pause_prob', d.resumeAfterPauseProb),
    recentActivityFraction: r.get('prob', 'recent_activity_fraction', d.recentActivityFraction),
    recentHours: r.get('positive', 'recent_hours', d.recentHours),
    sameTimeResumeProb: r.get('prob', 'same_time_resume_prob', d.sameTimeResumeProb),
    duplicateEventProb: r.get('prob', 'duplicate_event_prob', d.duplicateEventProb),
    problemSuccessProbs: readProbList(r, 'problem_success_probs', d.problemSuccessProbs),
    maxScore: r.get('range1', 'max_score', d.maxScore),
  };
  r.raw('video_actions');
  r.unknown((key) => `unknown behavior setting "${key}"`);
  return Object.freeze(behavior);
}

function readProbList(r: Reader, key: string, fallback: readonly number[]): readonly number[] {
  if (!r.has(key)) {
    r.raw(key);
    return fallback;
  }
  const value = r.raw(key);
  if (Array.isArray(value) && value.length > 0 && value.every((p) => parseKind('prob', p) !== INVALID)) {
    return Object.freeze([...(value as number[])]);
  }
  r.add(key, `got ${describeValue(value)}; expected a non-empty list of numbers from 0 to 1`);
  return fallback;
}

function readCourses(raw: unknown, templates: ReadonlyMap<string, unknown>, problems: ConfigProblem[]): CourseSpec[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push({
      key: 'journeys.courses',
      message: `journeys.courses: ${raw === undefined ? 'missing' : `got ${describeValue(raw)}`}; expected a non-empty list of {template, count, runs, learners}`,
    });
    return [];
  }
  const specs: CourseSpec[] = [];
  raw.forEach((entry: unknown, i) => {
    const path = `journeys.courses[${i}]`;
    const map = asMap(entry);
    if (map === null) {
      problems.push({
        key: path,
        message: `${path}: got ${describeValue(entry)}; expected a mapping {template, count, runs, learners}`,
      });
      return;
    }
    const r = new Reader(path, map, problems);
    const template = r.raw('template');
    if (typeof template !== 'string' || !templates.has(template)) {
      const names = [...templates.keys()];
      r.add(
        'template',
        `got ${describeValue(template)}; expected the name of a course_templates entry${names.length > 0 ? ` (${names.join(', ')})` : ''}`,
      );
    }
    specs.push(
      Object.freeze({
        template: String(template),
        count: r.get<number>('int0', 'count', undefined),
        runs: r.get<IntRange>('range1', 'runs', [1, 1]),
        learners: r.get<IntRange>('range0', 'learners', undefined),
      }),
    );
    r.unknown();
  });
  return specs;
}

/** Top-level keys of a journeys config beyond load-db's. */
const JOURNEYS_TOP_KEYS = ['journeys', 'event_sink_db_name', 'expected_db_name'] as const;

/** Options of `resolveJourneysConfig`. */
export interface JourneysResolveOptions {
  /** Names the origin (a file path) in messages. */
  readonly source?: string;
  readonly overrides?: JourneysOverrides;
  /** Used when `now` is absent or null. @default Date.now() with microseconds zeroed */
  readonly defaultNowUs?: number;
}

/**
 * Validates a whole config document (YAML-shaped: the `journeys` mapping plus the top-level
 * `lms_url`, `event_sink_db_name`/`db_event_sink_name`, `expected_db_name`). Other top-level
 * keys belong to load-journeys and are not read here.
 *
 * @example
 * const config = resolveJourneysConfig({ journeys: { num_actors: 60, ... } }, { overrides: { outputDir: 'out' } });
 */
export function resolveJourneysConfig(document: unknown, options: JourneysResolveOptions = {}): JourneysConfig {
  const where = options.source === undefined ? {} : { source: options.source };
  const top = asMap(document);
  const journeysRaw = top === null ? null : asMap(top.get('journeys'));
  if (top === null || journeysRaw === null || journeysRaw.size === 0) {
    throw new ConfigError(
      [
        {
          key: 'journeys',
          message: `journeys: ${top?.get('journeys') === undefined ? 'missing' : `got ${describeValue(top.get('journeys'))}`}; expected a non-empty mapping of journeys settings`,
        },
      ],
      where,
    );
  }
  const problems: ConfigProblem[] = [];
  const overrides = options.overrides ?? {};
  const journeys = new Map(journeysRaw);
  if (overrides.outputDir !== undefined) journeys.set('output_dir', overrides.outputDir);
  if (overrides.seed !== undefined) journeys.set('seed', overrides.seed);
  if (overrides.now !== undefined) journeys.set('now', overrides.now);

  const topProblem = (key: string, value: unknown, expected: string) =>
    problems.push({ key, message: `${key}: got ${describeValue(value)}; expected ${expected}` });
  let lmsUrl = 'http://localhost:18000';
  if (top.get('lms_url') !== undefined) {
    const parsed = lmsBaseUrl.parse(top.get('lms_url'));
    if (parsed === INVALID) topProblem('lms_url', top.get('lms_url'), lmsBaseUrl.expected);
    else lmsUrl = parsed;
  }
  const dbName = (keys: readonly string[]): string | null => {
    const present = keys.filter((k) => top.get(k) !== undefined && top.get(k) !== null);
    if (present.length > 1) {
      problems.push({
        key: present[1] as string,
        message: `${present[1]}: also given as "${present[0]}"; set only one spelling`,
      });
    }
    const key = present[0];
    if (key === undefined) return null;
    const parsed = identifier.parse(top.get(key));
    if (parsed === INVALID) {
      topProblem(key, top.get(key), identifier.expected);
      return null;
    }
    return parsed;
  };
  const eventSinkDbName = dbName(['event_sink_db_name', 'db_event_sink_name']);
  const expectedDbName = dbName(['expected_db_name']);
  // The other top-level keys are the loader's (connection, backend); a typo is still caught here.
  const topKeys = [...ACCEPTED_KEYS, ...JOURNEYS_TOP_KEYS];
  for (const key of top.keys()) {
    if (topKeys.includes(key)) continue;
    const guess = suggest(key, topKeys);
    problems.push({ key, message: `${key}: unknown key${guess ? `; did you mean "${guess}"?` : ''}` });
  }

  const r = new Reader('journeys', journeys, problems);
  const seedValue = r.raw('seed');
  let seed = 0;
  if (seedValue !== undefined && seedValue !== null) {
    if (typeof seedValue === 'number' && Number.isSafeInteger(seedValue) && seedValue >= 0) seed = seedValue;
    else r.add('seed', `got ${describeValue(seedValue)}; expected a non-negative safe integer`);
  }
  const nowValue = r.raw('now');
  let nowUs = options.defaultNowUs ?? Math.floor(Date.now() / 1000) * 1_000_000;
  if (nowValue !== undefined && nowValue !== null) {
    const parsed = parseNow(nowValue);
    if (parsed === null) {
      r.add(
        'now',
        `got ${describeValue(nowValue)}; expected a UTC time such as "2026-10-08 12:00:00" (an offset such as +02:00 is converted)`,
      );
    } else nowUs = parsed;
  }
  const outputValue = r.raw('output_dir');
  let outputDir = '';
  if (typeof outputValue === 'string' && outputValue !== '') outputDir = outputValue;
  else {
    r.add(
      'output_dir',
      `${outputValue === undefined || outputValue === null ? 'missing' : `got ${describeValue(outputValue)}`}; expected a directory path (or pass --output_dir)`,
    );
  }
  const windowDays = r.get<number>('positive', 'window_days', 300);
  if (windowDays >= MAX_WINDOW_DAYS) {
    r.add(
      'window_days',
      `got ${windowDays}; window_days must be under ${MAX_WINDOW_DAYS} to survive the xAPI data TTL (emission_time + 1 year)`,
    );
  }
  const courseLengthDays = r.get<number>('positive', 'course_length_days', 120);
  if (courseLengthDays > windowDays) {
    r.add(
      'course_length_days',
      `got ${courseLengthDays}; course_length_days must not be more than window_days (${windowDays})`,
    );
  }
  const orgPrefixValue = r.raw('org_prefix');
  let orgPrefix = 'Org';
  if (orgPrefixValue !== undefined) {
    if (typeof orgPrefixValue === 'string' && /^[A-Za-z0-9_-]+$/.test(orgPrefixValue)) orgPrefix = orgPrefixValue;
    else
      r.add(
        'org_prefix',
        `got ${describeValue(orgPrefixValue)}; expected letters, digits, _ or - (it becomes part of course keys)`,
      );
  }

  const templatesRaw = r.raw('course_templates');
  const templatesMap = asMap(templatesRaw);
  const templates: Record<string, CourseTemplate> = {};
  if (templatesMap === null || templatesMap.size === 0) {
    r.add(
      'course_templates',
      `${templatesRaw === undefined ? 'missing' : `got ${describeValue(templatesRaw)}`}; expected a mapping of template name to template`,
    );
  } else {
    for (const [name, value] of templatesMap) {
      const template = readTemplate(name, value, problems);
      if (template) templates[name] = template;
    }
  }
  const courses = readCourses(r.raw('courses'), templatesMap ?? new Map(), problems);

  const config: JourneysConfig = {
    seed,
    nowUs,
    outputDir,
    windowDays,
    courseLengthDays,
    runningCourseFraction: r.get('prob', 'running_course_fraction', 0.5),
    numOrganizations: r.get('int1', 'num_organizations', 3),
    orgPrefix,
    numActors: r.get<number>('int1', 'num_actors', undefined),
    firstUserId: r.get('int0', 'first_user_id', 1),
    mboxActorFraction: r.get('prob', 'mbox_actor_fraction', 0),
    numActorProfileChanges: r.get('int1', 'num_actor_profile_changes', 1),
    coursePublishes: r.get('int1', ['course_publishes', 'num_course_publishes'], 1),
    deletedUnitCourseFraction: r.get('prob', 'deleted_unit_course_fraction', 0),
    sortEvents: r.get('bool', 'sort_events', false),
    numWorkers: r.get('int1', 'num_workers', 1),
    courses: Object.freeze(courses),
    templates: Object.freeze(templates),
    behavior: readBehavior(r.raw('behavior'), problems),
    lmsUrl,
    eventSinkDbName,
    expectedDbName,
    // num_workers changes no byte of the data, so the manifest does not echo it either.
    echo: Object.freeze(plain(new Map([...journeys].filter(([k]) => k !== 'num_workers'))) as Record<string, unknown>),
  };
  if (config.firstUserId + (config.numActors ?? 0) > 2_147_483_647) {
    r.add('first_user_id', `got ${config.firstUserId}; expected user ids (first_user_id + num_actors) to fit Int32`);
  }
  r.unknown();
  if (problems.length > 0) throw new ConfigError(problems, where);
  return Object.freeze(config);
}
