/**
 * Checks a whole raw config before any work starts and reports every problem at once.
 *
 * Message shapes (one line per problem):
 * - `<key>: got <value>; expected <what>`
 * - `<key>: missing; expected <what>`
 * - `<key>: unknown key; did you mean "<key>"?`
 * Secret values are printed as `<redacted>`.
 */

import type { ConfigProblem } from '../errors.ts';
import { ConfigError } from '../errors.ts';
import { hasUrlCredentials, maskUrlCredentials, maskUserinfo } from '../secrets.ts';
import type { NormalizedRaw } from './aliases.ts';
import {
  ACCEPTED_KEYS,
  COURSE_SIZE_KEYS,
  currentKeyName,
  type KeySpec,
  MAKEUP_FIELDS,
  REQUIRED,
  SCALAR_KEYS,
  type ScalarField,
  SUGGESTABLE_KEYS,
} from './keys.ts';
import { suggest } from './suggest.ts';
import type { Config, CourseMakeup, CourseSizeCount } from './types.ts';
import {
  describeValue,
  formatEpochDay,
  formatInstant,
  httpUrl,
  INVALID,
  mappingEntries,
  nonNegativeInteger,
  outputDestination,
  REDACTED,
  s3SourceLocation,
  stringValue,
  ttlRetentionSeconds,
} from './values.ts';

const SECONDS_PER_DAY = 86_400;

/** Options of `validateConfig`. */
export interface ValidateOptions {
  /** Stored as `Config.configFile`. @default null */
  readonly configFile?: string | null;
  /** Where the config came from, shown in the error's first line (a path, "action inputs"…). */
  readonly source?: string;
}

/** Collects problems; every helper adds one line. */
class Problems {
  readonly list: ConfigProblem[] = [];

  add(key: string, message: string): void {
    this.list.push({ key, message });
  }

  invalid(key: string, value: unknown, expected: string, options: { secret?: boolean; note?: string } = {}): void {
    const shown = options.secret ? REDACTED : describeValue(value);
    this.add(key, `${key}: got ${shown}; expected ${expected}${options.note ? ` (${options.note})` : ''}`);
  }

  missing(key: string, expected: string, note?: string): void {
    this.add(key, `${key}: missing; expected ${expected}${note ? ` (${note})` : ''}`);
  }

  /** `word` is the unknown key itself; `key` is how to name it (with its parent path). */
  unknown(key: string, word: string, candidates: readonly string[]): void {
    const closest = suggest(word, candidates);
    const guess = closest === null ? null : currentKeyName(closest);
    this.add(key, `${key}: unknown key${guess ? `; did you mean "${guess}"?` : ''}`);
  }
}

const MAKEUP_FIELD_NAMES: readonly string[] = Object.values(MAKEUP_FIELDS).map((f) => f.key);
const MAKEUP_EXPECTED = `a mapping of ${MAKEUP_FIELD_NAMES.join(', ')}`;
const SIZES_EXPECTED = 'a mapping of size name to number of courses';
const MAKEUPS_EXPECTED = 'a mapping of size name to course contents';

// Videos and problems are placed after the fourth row of the course outline (the course block
// plus three chapters/sequentials/verticals); with fewer the original crashes (reference §4.6.3).
const MIN_STRUCTURAL_BLOCKS = 3;

/** Where the credentials of a URL-valued key belong instead of its `user:password@`. */
const CREDENTIAL_KEYS: Readonly<Record<string, string>> = {
  db_host: 'set db_username, and db_password or XAPI_DB_LOAD_CLICKHOUSE_PASSWORD',
  lrs_url: 'set lrs_username, and lrs_password or XAPI_DB_LOAD_RALPH_PASSWORD',
  s3_endpoint: 'set s3_key, and s3_secret or XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY',
  s3_source_location: 'set s3_key, and s3_secret or XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY',
};

/**
 * A URL with `user[:password]@` in it (issue #12, D2). `db_host` also takes a bare host, where
 * any `@` can only be userinfo.
 */
function carriesCredentials(key: string, value: string): boolean {
  if (hasUrlCredentials(value)) return true;
  return key === SCALAR_KEYS.dbHost.key && !/^(embedded|container)(:|$)/.test(value.trim()) && value.includes('@');
}

// A file with thousands of unknown keys is not a config with typos; listing (and spell-checking)
// each one took seconds and buried the real problems (issue #12, D12).
const MAX_UNKNOWN_KEYS_LISTED = 20;

/** A key without a secret or the reverse, or `null` when both or neither are set. */
export function s3CredentialsProblem(
  key: string | null | undefined,
  secret: string | null | undefined,
): ConfigProblem | null {
  const hasKey = typeof key === 'string' && key !== '';
  const hasSecret = typeof secret === 'string' && secret !== '';
  if (hasKey === hasSecret) return null;
  return hasKey
    ? {
        key: 's3_secret',
        message:
          's3_secret: missing; required when s3_key is set (or set XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY; leave both unset to use the AWS default credentials)',
      }
    : { key: 's3_key', message: 's3_key: missing; required when s3_secret is set' };
}

/** Validates and normalizes a raw config (aliases and env overrides already applied). */
export function validateConfig(raw: NormalizedRaw, options: ValidateOptions = {}): Config {
  const problems = new Problems();
  const { values, writtenAs } = raw;
  const shownKey = (key: string): string => writtenAs.get(key) ?? key;
  const given = (key: string): boolean => values.get(key) !== undefined;

  const unknownKeys = [...values.keys()].filter((key) => !ACCEPTED_KEYS.has(key));
  for (const key of unknownKeys.slice(0, MAX_UNKNOWN_KEYS_LISTED)) problems.unknown(key, key, SUGGESTABLE_KEYS);
  if (unknownKeys.length > MAX_UNKNOWN_KEYS_LISTED) {
    const more = unknownKeys.length - MAX_UNKNOWN_KEYS_LISTED;
    problems.add(
      'config',
      `… and ${more} more unknown key${more === 1 ? '' : 's'} (is this a config file of this tool?)`,
    );
  }

  // ---- one key, one field ----------------------------------------------------------------
  const scalars: Partial<Record<ScalarField, unknown>> = {};
  for (const [field, spec] of Object.entries(SCALAR_KEYS) as Array<[ScalarField, KeySpec<unknown>]>) {
    if (!given(spec.key)) {
      if (spec.default === REQUIRED) problems.missing(spec.key, spec.check.expected);
      else scalars[field] = spec.default;
      continue;
    }
    const value = values.get(spec.key);
    if (typeof value === 'string' && !spec.secret && carriesCredentials(spec.key, value)) {
      // Refused before the value's own check, and shown masked: the message goes to the
      // terminal and the log.
      const key = shownKey(spec.key);
      problems.add(
        key,
        `${key}: got ${describeValue(maskUserinfo(maskUrlCredentials(value)))}; expected ${spec.check.expected}, without user:password@ ` +
          `(${CREDENTIAL_KEYS[spec.key] ?? 'credentials have keys of their own'})`,
      );
      continue;
    }
    const parsed = spec.check.parse(value);
    if (parsed === INVALID) {
      const note = spec.secret ? null : (spec.check.hint?.(value) ?? null);
      problems.invalid(shownKey(spec.key), value, spec.check.expected, {
        secret: spec.secret === true,
        ...(note ? { note } : {}),
      });
    } else {
      scalars[field] = parsed;
    }
  }
  const num = (field: ScalarField): number | undefined => {
    const v = scalars[field];
    return typeof v === 'number' ? v : undefined;
  };

  // ---- course sizes ------------------------------------------------------------------------
  const courseSizes = validateCourseSizes(values, problems, num('numActors'));

  // ---- the original tool's date rules (its rule 3, actors, is checked per size above) ------
  const start = num('startDate');
  const end = num('endDate');
  const courseLength = num('courseLengthDays');
  if (start !== undefined && end !== undefined) {
    if (start >= end) {
      problems.add(
        'start_date',
        `start_date: got ${formatEpochDay(start)}, end_date ${formatEpochDay(end)}; Start date must be before end date`,
      );
    } else if (courseLength !== undefined && end - start <= courseLength) {
      // The original checks `<`; an equal length passes there and then samples a course start
      // from an empty range (quirk Q20), so we require strictly longer.
      problems.add(
        'course_length_days',
        `course_length_days: got ${courseLength}; the ${end - start} days from start_date to end_date must be longer than course_length_days`,
      );
    }
  }

  // ---- now and ttl ------------------------------------------------------------------------
  const window = nowWindow(start, end, scalars.now as number | null | undefined);
  if (window && typeof scalars.ttl === 'string') checkTtlWindow(problems, scalars.ttl, window);

  // ---- what each backend needs -----------------------------------------------------------
  const backend = scalars.backend;
  const requireFor = (key: string, expected: string, note: string): void => {
    if (!given(key)) problems.missing(key, expected, note);
    else if (values.get(key) === null) problems.invalid(key, null, expected, { note });
  };
  if (backend === 'csv') {
    requireFor(SCALAR_KEYS.csvOutputDestination.key, outputDestination.expected, 'required by the csv backend');
    if (scalars.loadFromS3After === true) {
      requireFor(
        SCALAR_KEYS.s3SourceLocation.key,
        s3SourceLocation.expected,
        `required when ${shownKey('load_from_s3_after')} is true`,
      );
    }
  } else if (backend === 'ralph') {
    const note = 'required by the ralph backend';
    requireFor(SCALAR_KEYS.lrsUrl.key, httpUrl.expected, note);
    requireFor(SCALAR_KEYS.lrsUsername.key, stringValue({ allowEmpty: false }).expected, note);
    requireFor(SCALAR_KEYS.lrsPassword.key, stringValue({ allowEmpty: true }).expected, note);
  }

  // S3 credentials come in pairs; checked here, with every other problem, when the run will use
  // S3 (s3SettingsFromConfig checks again for library callers).
  const isS3 = (value: unknown): boolean => typeof value === 'string' && value.startsWith('s3://');
  const usesS3 =
    (backend === 'csv' && isS3(scalars.csvOutputDestination)) ||
    isS3(scalars.nativeOutputDestination) ||
    (backend === 'chdb' && scalars.nativeOutputDestination === null) ||
    typeof scalars.s3SourceLocation === 'string';
  if (usesS3) {
    const problem = s3CredentialsProblem(scalars.s3Key as string | null, scalars.s3Secret as string | null);
    if (problem) problems.add(problem.key, problem.message);
  }

  const shardIndex = num('shardIndex');
  const shardCount = num('shardCount');
  if (shardCount !== undefined && shardCount > 1 && scalars.loadFromS3After === true) {
    problems.add(
      'load_from_s3_after',
      `load_from_s3_after: got true with shard_count ${shardCount}; a sharded dataset is loaded once, after every shard is written: run load-db-from-s3 then`,
    );
  }
  if (shardIndex !== undefined && shardCount !== undefined && shardIndex >= shardCount) {
    problems.add(
      'shard_index',
      `shard_index: got ${shardIndex}; expected an integer from 0 to shard_count − 1 (${shardCount - 1})`,
    );
  }

  if (problems.list.length > 0) {
    throw new ConfigError(problems.list, options.source === undefined ? {} : { source: options.source });
  }
  return deepFreeze({
    configFile: options.configFile ?? null,
    ...scalars,
    ...(typeof scalars.now === 'number' && window ? { startDate: window.startDay, endDate: window.endDay } : {}),
    courseSizes: courseSizes ?? [],
  } as Config);
}

/** The window data is generated in, and the instant TTLs are judged against. */
interface TimeWindow {
  readonly startDay: number;
  readonly endDay: number;
  /** `now`, or the wall clock when the config has none (a server deletes by its own clock). */
  readonly referenceSeconds: number;
  readonly movedToNow: boolean;
}

/**
 * With `now`, the start_date…end_date window keeps its length and ends on now's day; without,
 * it stays as written. `undefined` when the dates themselves are invalid (already reported).
 */
function nowWindow(
  start: number | undefined,
  end: number | undefined,
  now: number | null | undefined,
): TimeWindow | undefined {
  if (start === undefined || end === undefined || start >= end || now === undefined) return undefined;
  if (now === null) {
    return { startDay: start, endDay: end, referenceSeconds: Math.floor(Date.now() / 1000), movedToNow: false };
  }
  const endDay = Math.floor(now / SECONDS_PER_DAY);
  return { startDay: endDay - (end - start), endDay, referenceSeconds: now, movedToNow: true };
}

/**
 * Refuses a window whose oldest rows a `toDateTime(emission_time) + INTERVAL n UNIT` TTL would
 * delete at the next merge, with a day to spare for the time between now and the load.
 * Other expressions cannot be judged here and are accepted as written.
 */
function checkTtlWindow(problems: Problems, ttl: string, window: TimeWindow): void {
  const keep = ttlRetentionSeconds(ttl);
  if (keep === null) return;
  const oldest = window.startDay * SECONDS_PER_DAY;
  if (window.referenceSeconds - oldest + SECONDS_PER_DAY <= keep) return;
  const windowText = window.movedToNow
    ? `the window moved to end at now (${formatEpochDay(window.startDay)} to ${formatInstant(window.referenceSeconds)})`
    : `the window from start_date ${formatEpochDay(window.startDay)}, judged against today (${formatInstant(window.referenceSeconds)}; set now to pin it)`;
  problems.add(
    'ttl',
    `ttl: got ${JSON.stringify(ttl)}; ${windowText} reaches back ${Math.ceil((window.referenceSeconds - oldest) / SECONDS_PER_DAY)} days, ` +
      `but the TTL keeps rows for ${Math.floor(keep / SECONDS_PER_DAY)} days, so Aspects would delete the oldest data at the next merge: ` +
      'shorten start_date…end_date, set now, or set ttl: none',
  );
}

/**
 * Joins `num_course_sizes` with `course_size_makeup`, keeping `num_course_sizes` order (it
 * decides the order courses are created in). Makeups that no size names are ignored, as in the
 * original. Returns `undefined` when anything is wrong (problems were recorded).
 */
function validateCourseSizes(
  values: ReadonlyMap<string, unknown>,
  problems: Problems,
  numActors: number | undefined,
): CourseSizeCount[] | undefined {
  const sizesKey = COURSE_SIZE_KEYS.numCourseSizes.key;
  const makeupKey = COURSE_SIZE_KEYS.courseSizeMakeup.key;
  const sizesRaw = values.get(sizesKey);
  const makeupsRaw = values.get(makeupKey);

  const sizes = sizesRaw === undefined ? null : mappingEntries(sizesRaw);
  if (sizesRaw === undefined) problems.missing(sizesKey, SIZES_EXPECTED);
  else if (sizes === null) problems.invalid(sizesKey, sizesRaw, SIZES_EXPECTED);

  let makeups: Map<string, unknown> | null = null;
  if (makeupsRaw === undefined) problems.missing(makeupKey, MAKEUPS_EXPECTED);
  else {
    const entries = mappingEntries(makeupsRaw);
    if (entries === null) problems.invalid(makeupKey, makeupsRaw, MAKEUPS_EXPECTED);
    else makeups = new Map(entries);
  }
  if (sizes === null) return undefined;

  const result: CourseSizeCount[] = [];
  let ok = true;
  let total = 0;
  let countsOk = true;
  for (const [name, countRaw] of sizes) {
    const count = nonNegativeInteger.parse(countRaw);
    if (count === INVALID) {
      problems.invalid(`${sizesKey}.${name}`, countRaw, nonNegativeInteger.expected);
      countsOk = false;
    } else {
      total += count;
    }
    if (makeups === null) {
      ok = false;
      continue;
    }
    if (!makeups.has(name)) {
      const known = makeups.size > 0 ? [...makeups.keys()].join(', ') : 'it defines none';
      problems.add(
        `${sizesKey}.${name}`,
        `${sizesKey}.${name}: got size ${JSON.stringify(name)}; expected a size defined in ${makeupKey} (${known})`,
      );
      ok = false;
      continue;
    }
    const makeup = validateMakeup(name, makeups.get(name), problems, numActors);
    if (makeup === undefined || count === INVALID) ok = false;
    else result.push({ name, count, makeup });
  }
  if (countsOk && total === 0) {
    problems.add(sizesKey, `${sizesKey}: got 0 courses in total; expected at least 1`);
    ok = false;
  }
  return ok ? result : undefined;
}

function validateMakeup(
  name: string,
  raw: unknown,
  problems: Problems,
  numActors: number | undefined,
): CourseMakeup | undefined {
  const prefix = `${COURSE_SIZE_KEYS.courseSizeMakeup.key}.${name}`;
  const entries = mappingEntries(raw);
  if (entries === null) {
    problems.invalid(prefix, raw, MAKEUP_EXPECTED);
    return undefined;
  }
  const fields = new Map(entries);
  for (const key of fields.keys()) {
    if (!MAKEUP_FIELD_NAMES.includes(key)) problems.unknown(`${prefix}.${key}`, key, MAKEUP_FIELD_NAMES);
  }
  const makeup: Partial<Record<keyof CourseMakeup, number>> = {};
  let ok = true;
  for (const [field, spec] of Object.entries(MAKEUP_FIELDS) as Array<
    [keyof CourseMakeup, (typeof MAKEUP_FIELDS)[keyof CourseMakeup]]
  >) {
    const value = fields.get(spec.key);
    if (value === undefined) {
      problems.missing(`${prefix}.${spec.key}`, spec.check.expected);
      ok = false;
      continue;
    }
    const parsed = spec.check.parse(value);
    if (parsed === INVALID) {
      problems.invalid(`${prefix}.${spec.key}`, value, spec.check.expected);
      ok = false;
    } else {
      makeup[field] = parsed;
    }
  }
  if (!ok) return undefined;
  const complete = makeup as CourseMakeup;

  if (numActors !== undefined && complete.actors > numActors) {
    problems.add(
      `${prefix}.actors`,
      `${prefix}.actors: got ${complete.actors}; course size ${JSON.stringify(name)} wants more actors than are configured in num_actors (${numActors})`,
    );
    ok = false;
  }
  const structural = complete.chapters + complete.sequences + complete.verticals;
  if (structural < MIN_STRUCTURAL_BLOCKS) {
    problems.add(
      prefix,
      `${prefix}: got chapters + sequences + verticals = ${structural}; expected at least ${MIN_STRUCTURAL_BLOCKS} so videos and problems have a place in the course outline`,
    );
    ok = false;
  }
  return ok ? complete : undefined;
}

/** Freezes an object graph built from plain objects and arrays. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
