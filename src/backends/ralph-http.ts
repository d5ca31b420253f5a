/**
 * The parts of the LRS client that read one answer (status, body, transport error, Retry-After)
 * and check its options; ralph-client.ts holds the client that retries and counts.
 */
import type { Dispatcher } from 'undici';
import { ConfigError, type ConfigProblem, describeError } from '../errors.ts';
import type { RalphClientOptions } from './ralph-client.ts';

/** Undici errors that say "this client or request is wrong", not "the network hiccuped". */
const NON_RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CLOSED',
]);

export const FAIL_FAST_HINTS: Readonly<Record<number, string>> = {
  400: 'the LRS rejected the request (bad request)',
  401: 'the LRS refused the credentials (check the username and password)',
  403: 'the LRS denied access (for Ralph: auth file not found, or missing scope)',
  404: 'no statements endpoint at this URL (it usually ends in /xAPI/statements)',
  413: 'the batch is too large for the LRS (lower batch_size)',
  422: 'the LRS found the statements invalid',
};

const EXCERPT_BYTES = 4_096;
export const EXCERPT_CHARS = 300;
export const UUID_PATTERN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The outcome of one POST: done, worth another try, or a failure to report at once. */
export type Attempt =
  | { readonly kind: 'done'; readonly inserted: number }
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly status?: number;
      readonly retryAfterMs?: number;
      readonly cause?: unknown;
    }
  | { readonly kind: 'fail'; readonly reason: string; readonly status?: number; readonly cause?: unknown };

/** Checks the client options, every problem at once; returns the endpoint. */
export function validate(options: RalphClientOptions): URL {
  const problems: ConfigProblem[] = [];
  const problem = (key: string, message: string): void => {
    problems.push({ key, message: `${key}: ${message}` });
  };
  let endpoint: URL | undefined;
  try {
    endpoint = new URL(options.url);
  } catch {
    problem('url', `got ${JSON.stringify(options.url)}; expected an http:// or https:// URL`);
  }
  if (endpoint && endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    problem('url', `got ${JSON.stringify(options.url)}; expected an http:// or https:// URL`);
  }
  if (endpoint && (endpoint.username !== '' || endpoint.password !== '')) {
    // Never echo the URL here: it holds a secret.
    problem('url', 'contains credentials; pass them as username and password instead');
  }
  if (options.username === '') problem('username', 'got ""; expected a non-empty string');
  const integer = (key: string, value: number | undefined, min: number): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
      problem(key, `got ${JSON.stringify(value)}; expected an integer >= ${min}`);
    }
  };
  integer('timeoutMs', options.timeoutMs, 0);
  integer('maxRetries', options.maxRetries, 0);
  integer('inFlight', options.inFlight, 1);
  integer('retryBaseMs', options.retryBaseMs, 0);
  integer('retryMaxMs', options.retryMaxMs, 0);
  if (problems.length > 0 || !endpoint) throw new ConfigError(problems, { source: 'the Ralph client options' });
  return endpoint;
}

/** Ralph answers 200 with the ids it stored now, in order; the rest of the batch was already there. */
export function parseInserted(text: string, ids: readonly string[], excerpt: (text: string) => string): Attempt {
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch (error) {
    return { kind: 'fail', reason: `HTTP 200 with a body that is not JSON: ${excerpt(text)}`, cause: error };
  }
  if (!Array.isArray(stored) || !stored.every((id) => typeof id === 'string')) {
    return { kind: 'fail', reason: `HTTP 200 without the expected list of ids: ${excerpt(text)}` };
  }
  const sent = new Set(ids);
  const unknown = stored.find((id) => !sent.has(id));
  if (unknown !== undefined || stored.length > ids.length) {
    return {
      kind: 'fail',
      reason: `the LRS stored id ${String(unknown)}, which is not among the ${ids.length} id(s) given with the batch`,
    };
  }
  return { kind: 'done', inserted: stored.length };
}

export function transportFailure(error: unknown, timeoutMs: number): Attempt & { readonly kind: 'retry' | 'fail' } {
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof code === 'string' && NON_RETRYABLE_CODES.has(code)) {
    return { kind: 'fail', reason: `${code}: ${describeError(error)}`, cause: error };
  }
  const timedOut =
    name === 'TimeoutError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT';
  const message = describeError(error);
  const prefix = typeof code === 'string' && !message.includes(code) ? `${code}: ` : '';
  const reason = timedOut ? `no response within ${timeoutMs} ms` : `${prefix}${message}`;
  return { kind: 'retry', reason, cause: error };
}

/** Reads at most EXCERPT_BYTES of an error body, then drops the rest. */
export async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= EXCERPT_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Runs at most `max` tasks at once, the rest in arrival order. */
export function createLimiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < max) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
