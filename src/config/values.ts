/**
 * Value checkers for single config values, and the way values are shown in messages.
 *
 * A checker never throws: it returns the normalized value, or `INVALID` so the caller can collect
 * every problem before reporting (see `validate.ts`). Each checker carries one `expected` phrase,
 * which completes `<key>: got <value>; expected <phrase>` and `<key>: missing; expected <phrase>`.
 */

import { suggest } from './suggest.ts';
import { ASPECTS_VERSIONS, type AspectsVersion, type EpochDay } from './types.ts';

/** Returned by a checker when the value is unusable. */
export const INVALID: unique symbol = Symbol('invalid config value');

/** Checks and normalizes one value; `expected` describes what it accepts. */
export interface Check<T> {
  readonly expected: string;
  readonly parse: (value: unknown) => T | typeof INVALID;
  /** A note for a refused value, e.g. `did you mean "8.0.0"?`, or null. */
  readonly hint?: (value: unknown) => string | null;
}

const MS_PER_DAY = 86_400_000;

// ---- rendering values in messages ----------------------------------------------------------

const MAX_SHOWN_CHARS = 60;

/**
 * Renders a value the way a user would recognize it from their YAML: strings quoted, dates as
 * `YYYY-MM-DD`, collections summarized (never dumped, they can be large or hold secrets).
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return 'an invalid date';
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map || typeof value === 'object') return 'a mapping';
  return typeof value;
}

/**
 * Names the kind of a value without showing it (`a list`, `a string`…), for places where the
 * value could be anything, such as a whole document.
 */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'number' ? 'a number' : `a ${typeof value}`;
}

/** What messages print instead of a secret's value. */
export const REDACTED = '<redacted>';

// ---- mappings (plain objects from callers, Maps from our YAML reader) ----------------------

/**
 * Returns the entries of a mapping in source order with string keys, or `null` if the value is not
 * a mapping. The YAML reader yields `Map`s so that integer-like size names (`"1": …`) keep their
 * YAML order, which plain objects would not.
 */
export function mappingEntries(value: unknown): Array<[string, unknown]> | null {
  if (value instanceof Map) return [...value.entries()].map(([k, v]): [string, unknown] => [String(k), v]);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return null;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return null;
  return Object.entries(value);
}

// ---- checkers -------------------------------------------------------------------------------

function integerCheck(expected: string, min: number, max = Number.MAX_SAFE_INTEGER): Check<number> {
  return {
    expected,
    parse: (value) =>
      typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max ? value : INVALID,
  };
}

/** An integer ≥ 1. */
export const positiveInteger: Check<number> = integerCheck('a positive integer', 1);
/** An integer ≥ 0. */
export const nonNegativeInteger: Check<number> = integerCheck('a non-negative integer', 0);
/** An integer in `[min, max]`. */
export function integerInRange(min: number, max: number): Check<number> {
  return integerCheck(`an integer from ${min} to ${max}`, min, max);
}
/** The PRNG seed: any integer a double represents exactly. */
export const seedInteger: Check<number> = integerCheck(
  `a non-negative safe integer (0 to ${Number.MAX_SAFE_INTEGER})`,
  0,
);

export const booleanValue: Check<boolean> = {
  expected: 'true or false',
  parse: (value) => (typeof value === 'boolean' ? value : INVALID),
};

/**
 * A string. Numbers are not turned into strings: YAML 1.1 has already changed them (`0123` is
 * read as octal 83), so guessing the original text would be wrong; the user must quote it.
 */
export function stringValue(options: { allowEmpty: boolean }): Check<string> {
  return {
    expected: options.allowEmpty ? 'a string (quote it in YAML)' : 'a non-empty string (quote it in YAML)',
    parse: (value) => (typeof value === 'string' && (options.allowEmpty || value !== '') ? value : INVALID),
  };
}

/** Accepts `null` as well as what `check` accepts. */
export function nullable<T>(check: Check<T>): Check<T | null> {
  return {
    expected: `${check.expected}, or null`,
    parse: (value) => (value === null ? null : check.parse(value)),
  };
}

/** One of a fixed list of strings. */
export function oneOf<T extends string>(choices: readonly T[]): Check<T> {
  return {
    expected: `one of ${choices.join(', ')}`,
    parse: (value) =>
      typeof value === 'string' && (choices as readonly string[]).includes(value) ? (value as T) : INVALID,
  };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A ClickHouse database or table name we can safely put in SQL text. */
export const identifier: Check<string> = {
  expected: 'a ClickHouse identifier (letters, digits and _, not starting with a digit)',
  parse: (value) => (typeof value === 'string' && IDENTIFIER.test(value) ? value : INVALID),
};

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar day as epoch days (UTC). Unquoted `2014-01-01` is a YAML 1.1 timestamp and arrives as
 * a `Date` at 00:00Z; quoted it arrives as a string (which the original tool could not handle).
 * A timestamp with a time of day is refused: the original does whole-day arithmetic.
 */
export const calendarDay: Check<EpochDay> = {
  expected: 'a date (YYYY-MM-DD)',
  parse: (value) => {
    if (value instanceof Date) {
      const ms = value.getTime();
      return Number.isFinite(ms) && ms % MS_PER_DAY === 0 ? ms / MS_PER_DAY : INVALID;
    }
    if (typeof value !== 'string') return INVALID;
    const match = ISO_DAY.exec(value);
    if (!match) return INVALID;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(year, month - 1, day);
    const back = new Date(ms);
    // Date.UTC rolls 2014-02-30 over to March; a round trip catches days that do not exist.
    if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
      return INVALID;
    }
    return ms / MS_PER_DAY;
  },
};

/** Renders epoch days back as `YYYY-MM-DD` for messages. */
export function formatEpochDay(day: EpochDay): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

// Characters that would break the JSON and CSV text the URL is pasted into unescaped, or make the
// URL ambiguous when paths are appended to it. Non-ASCII is refused too: statements are written
// as bytes on the assumption that every generated value is ASCII (punycode a host if needed).
const UNSAFE_URL_CHARS = /["\\\s?#]|[^\x21-\x7e]/;

function parseUrl(value: unknown, protocols: readonly string[]): URL | null {
  if (typeof value !== 'string' || UNSAFE_URL_CHARS.test(value)) return null;
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '' ? url : null;
  } catch {
    return null;
  }
}

/**
 * A base http(s) URL for the LMS. It is embedded verbatim in statement JSON and CSV, hence no
 * quotes, backslashes or whitespace; trailing slashes are removed so `${lmsUrl}/course/…` is clean.
 */
export const lmsBaseUrl: Check<string> = {
  expected: 'an ASCII http(s) URL without quotes, backslashes, whitespace, query or fragment',
  parse: (value) => (parseUrl(value, ['http:', 'https:']) ? (value as string).replace(/\/+$/, '') : INVALID),
};

/** Any http(s) URL, kept as written (Ralph endpoint, S3 endpoint). */
export const httpUrl: Check<string> = {
  expected: 'an http(s) URL',
  parse: (value) => (parseUrl(value, ['http:', 'https:']) ? (value as string) : INVALID),
};

/**
 * `db_host`: `embedded[:dir]`, `container[:image]`, or a server's host name or IP, optionally
 * with an `http://` / `https://` scheme (the rule `resolveUrlTarget` applies when connecting).
 */
export const clickhouseHost: Check<string> = {
  expected:
    'embedded, embedded:<dir>, container, container:<image>, or a host name or IP address (http:// or https:// allowed)',
  parse: (value) => {
    if (typeof value !== 'string' || value.trim() === '') return INVALID;
    const text = value.trim();
    if (/^(embedded|container)(:|$)/.test(text)) return value;
    const host = text.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
    return host === '' || /[/?#@\s]/.test(host) ? INVALID : value;
  },
};

/** Adds the trailing `/` that URL-join semantics need (quirk Q14); empty stays empty. */
export function withTrailingSlash(value: string): string {
  return value === '' || value.endsWith('/') ? value : `${value}/`;
}

/** Where ClickHouse reads the CSV files from: `https://…` or `s3://…`, normalized to end with `/`. */
export const s3SourceLocation: Check<string> = {
  expected: 'an https:// or s3:// URL of the folder holding the files',
  parse: (value) => (parseUrl(value, ['http:', 'https:', 's3:']) ? withTrailingSlash(value as string) : INVALID),
};

/** A local directory or `s3://bucket/prefix`, normalized to end with `/`. */
export const outputDestination: Check<string> = {
  expected: 'a local directory or s3://bucket/prefix/',
  parse: (value) => {
    if (typeof value !== 'string' || value.trim() === '') return INVALID;
    if (value.startsWith('s3://')) {
      return parseUrl(value, ['s3:']) ? withTrailingSlash(value) : INVALID;
    }
    // Any other scheme (gs://, https://) was possible through smart_open upstream; we only write
    // to local paths and S3.
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) return INVALID;
    return withTrailingSlash(value);
  },
};

/** A bare S3 bucket name (no scheme, no slash). */
export const s3BucketName: Check<string> = {
  expected: 'an S3 bucket name (no s3:// and no /)',
  parse: (value) => (typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) ? value : INVALID),
};

/** An S3 key prefix, normalized to end with `/` unless empty. */
export const s3KeyPrefix: Check<string> = {
  expected: 'a key prefix such as logs/run1/ (or "")',
  parse: (value) => (typeof value === 'string' ? withTrailingSlash(value) : INVALID),
};

/**
 * `db_port`: `null` (the client's default), a number, or a numeric string — the 1.x default was
 * the string `"18123"`.
 */
export const portNumber: Check<number | null> = {
  expected: 'a port number from 1 to 65535 (number or numeric string), or null',
  parse: (value) => {
    if (value === null) return null;
    const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65_535 ? port : INVALID;
  },
};

/** Seconds (fractions allowed), or `null` for no timeout. */
export const timeoutSeconds: Check<number | null> = {
  expected: 'a positive number of seconds, or null for no timeout',
  parse: (value) =>
    value === null ? null : typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : INVALID,
};

/** `db_password`: a string; `null` (the 1.x default, or an empty YAML value) means no password. */
export const passwordOrEmpty: Check<string> = {
  expected: 'a string (quote it in YAML), or null',
  parse: (value) => (value === null ? '' : typeof value === 'string' ? value : INVALID),
};

/** `log_dir`: a directory; `null` or `""` means no log file. */
export const logDirectory: Check<string> = {
  expected: 'a directory path, or null for no log file',
  parse: (value) => (value === null ? '' : typeof value === 'string' ? value : INVALID),
};

// ---- time: now and ttl ---------------------------------------------------------------------

/** Tutor's `ASPECTS_DATA_TTL_EXPRESSION` default: xAPI rows are deleted one year after emission. */
export const ASPECTS_DEFAULT_TTL = 'toDateTime(emission_time) + INTERVAL 1 YEAR';

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]00:?00)?$/;

/**
 * `now`: `today` (UTC midnight of the day the config is read), a date, or an instant in UTC
 * (`2026-11-15T00:00:00Z`); whole seconds since the epoch. `null` keeps the 1.x window.
 */
export const nowInstant: Check<number | null> = {
  expected: 'today, a date (YYYY-MM-DD) or a UTC instant such as 2026-11-15T00:00:00Z, or null',
  parse: (value) => {
    if (value === null) return null;
    if (value === 'today') return Math.floor(Date.now() / MS_PER_DAY) * (MS_PER_DAY / 1000);
    if (value instanceof Date) {
      const ms = value.getTime();
      return Number.isFinite(ms) && ms % 1000 === 0 ? ms / 1000 : INVALID;
    }
    if (typeof value !== 'string') return INVALID;
    const m = ISO_INSTANT.exec(value);
    if (!m) return INVALID;
    const day = calendarDay.parse(`${m[1]}-${m[2]}-${m[3]}`);
    const [h, min, sec] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
    if (day === INVALID || h > 23 || min > 59 || sec > 59) return INVALID;
    return (day * MS_PER_DAY) / 1000 + h * 3600 + min * 60 + sec;
  },
};

/** Renders epoch seconds as `2026-11-15T00:00:00Z` for messages. */
export function formatInstant(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

// A TTL expression is interpolated into DDL (DDL takes no bound parameters): only names,
// numbers, spaces and the characters of arithmetic and calls get through.
const TTL_TEXT = /^[A-Za-z0-9_ (),.+*/-]+$/;

/** `ttl`: `none` (or null), `aspects` (Tutor's default) or an expression over emission_time. */
export const ttlExpression: Check<string | null> = {
  expected: `none, aspects (= ${ASPECTS_DEFAULT_TTL}) or a TTL expression over emission_time (letters, digits, spaces and ( ) , . + - * / only)`,
  parse: (value) => {
    if (value === null || value === 'none') return null;
    if (value === 'aspects') return ASPECTS_DEFAULT_TTL;
    if (typeof value !== 'string') return INVALID;
    const text = value.trim().replace(/\s+/g, ' ');
    return TTL_TEXT.test(text) && text.includes('emission_time') ? text : INVALID;
  },
};

/** Minimum seconds per unit of `INTERVAL n UNIT` (a year has at least 365 days, a month 28). */
const INTERVAL_SECONDS: Record<string, number> = {
  SECOND: 1,
  MINUTE: 60,
  HOUR: 3600,
  DAY: 86_400,
  WEEK: 7 * 86_400,
  MONTH: 28 * 86_400,
  QUARTER: 89 * 86_400,
  YEAR: 365 * 86_400,
};

/**
 * How long rows survive under `toDateTime(emission_time) + INTERVAL n UNIT` (at least), in
 * seconds; `null` for any other expression, whose effect cannot be known without a server.
 */
export function ttlRetentionSeconds(ttl: string): number | null {
  const m = /^toDateTime\(emission_time\) \+ INTERVAL (\d+) (SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR)S?$/i.exec(
    ttl,
  );
  if (!m) return null;
  return Number(m[1]) * (INTERVAL_SECONDS[(m[2] as string).toUpperCase()] as number);
}

// ---- aspects_version -----------------------------------------------------------------------

/**
 * `aspects_version`: an aspects-dbt release the tool has the schema of, with or without the
 * "v" (`8.0.0`, `v8.0.0`). A refused value gets the release of the same major version, or for a
 * misspelling the closest release, as a suggestion.
 */
export const aspectsVersionValue: Check<AspectsVersion> = {
  expected: `one of ${ASPECTS_VERSIONS.join(', ')}`,
  parse: (value) => {
    if (typeof value !== 'string') return INVALID;
    const bare = value.trim().replace(/^v/i, '');
    return (ASPECTS_VERSIONS as readonly string[]).includes(bare) ? (bare as AspectsVersion) : INVALID;
  },
  hint: (value) => {
    if (typeof value !== 'string' && typeof value !== 'number') return null;
    const bare = String(value).trim().replace(/^v/i, '');
    const major = /^(\d+)/.exec(bare)?.[1];
    const sameMajor = ASPECTS_VERSIONS.filter((v) => v.split('.')[0] === major);
    // A well-formed release of another major (6.1.0) is not a typo: no guess for it.
    const wellFormed = /^\d+\.\d+\.\d+$/.test(bare);
    const guess =
      sameMajor.length > 0 ? sameMajor[sameMajor.length - 1] : wellFormed ? null : suggest(bare, ASPECTS_VERSIONS);
    // A YAML number (8.0) has lost its text; say how to write it.
    const quote = typeof value === 'number' ? '; quote it in YAML' : '';
    return guess ? `did you mean "${guess}"?${quote}` : null;
  },
};
