/**
 * HTTP client for an xAPI LRS's statements endpoint, tuned to Ralph's answers
 * (scripts/ralph/NOTES.md records what a real Ralph 4.1.0 replies).
 *
 * - 200 + JSON array of ids: those ids were stored; the rest of the batch was already there.
 * - 204: every statement of the batch was already there.
 * - 409: a statement with one of our ids exists with different content: fail, naming the id.
 * - 400, 401, 403, 422 (and any other unexpected status): fail at once.
 * - 408, 429, 5xx, network errors, timeouts: retry with exponential backoff and full jitter.
 *
 * Retrying a POST is safe here because every statement carries its id: Ralph drops statements it
 * already holds with the same content, so a batch stored before a lost response comes back as
 * "already present" instead of being written twice.
 */
import type { Dispatcher, Pool } from 'undici';
import { SinkError } from '../errors.ts';
import {
  type Attempt,
  createLimiter,
  EXCERPT_CHARS,
  FAIL_FAST_HINTS,
  parseInserted,
  parseRetryAfter,
  readExcerpt,
  transportFailure,
  UUID_PATTERN,
  validate,
} from './ralph-http.ts';

export interface RalphClientOptions {
  /** The statements endpoint, e.g. `http://ralph:8100/xAPI/statements` (the original tool's `lrs_url`). */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /**
   * Time allowed for one attempt (connect, send, wait, read); 0 disables it.
   * @default 120_000 (the original tool's `lrs_request_timeout`)
   */
  readonly timeoutMs?: number;
  /** Retries after the first attempt of a batch, for retryable failures only. @default 5 */
  readonly maxRetries?: number;
  /** Batches on the wire at once; more calls to postBatch wait their turn. @default 1 */
  readonly inFlight?: number;
  /** First backoff ceiling; the n-th retry waits random() × min(retryMaxMs, retryBaseMs × 2^(n-1)). @default 500 */
  readonly retryBaseMs?: number;
  /** Upper bound for one backoff wait, Retry-After included. @default 30_000 */
  readonly retryMaxMs?: number;
  /** Jitter source in [0, 1); inject a fixed one in tests. @default Math.random */
  readonly random?: () => number;
  /** How the client waits between attempts; inject a no-op in tests. @default a setTimeout promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told about each retry before its wait, e.g. to log it. */
  readonly onRetry?: (event: RalphRetryEvent) => void;
}

export interface RalphRetryEvent {
  /** 1 for the first retry of this batch. */
  readonly retry: number;
  readonly delayMs: number;
  /** Why the previous attempt failed: `HTTP 503: …`, `ECONNREFUSED …`, `no response within 120000 ms`. */
  readonly reason: string;
  readonly batchSize: number;
}

export interface PostBatchResult {
  /** Statements the LRS stored now. */
  readonly inserted: number;
  /** Statements the LRS already held with the same content (skipped, not an error). */
  readonly alreadyPresent: number;
  /** Retries this batch needed. */
  readonly retries: number;
}

export interface RalphClientStats {
  readonly batches: number;
  readonly inserted: number;
  readonly alreadyPresent: number;
  readonly retries: number;
}

export interface RalphClient {
  /** `Ralph at <origin><path>`: names the endpoint in messages (never the credentials). */
  readonly where: string;
  /**
   * Posts one batch. `statementsJson` is the JSON array text (or its UTF-8 bytes) of the
   * statements; `ids` lists the id of each of them (used to count what was skipped and to check
   * the answer).
   * @throws RalphBatchError when the batch was refused or retries ran out; `written.statements`
   * counts the statements this client saw acknowledged (inserted or already present) before.
   */
  postBatch(statementsJson: string | Uint8Array, ids: readonly string[]): Promise<PostBatchResult>;
  /**
   * One cheap request (`GET <url>?limit=1`) before any data is made, so a wrong URL, an
   * unreachable LRS or wrong credentials fail the run at once. Only answers that prove the
   * configuration wrong fail (401, 404, no connection); a 403 (a write-only user may not read),
   * 429 or 5xx (the POSTs will retry) let the run go on.
   * @throws RalphBatchError naming the endpoint and the reason (never the password)
   */
  probe(): Promise<void>;
  getStats(): RalphClientStats;
  /** Closes the keep-alive connections; waits for batches in flight. */
  close(): Promise<void>;
  /**
   * Stops now: requests on the wire are cut and batches waiting for a retry give up, each
   * failing with a RalphBatchError (whether the LRS stored a cut batch is unknown).
   */
  destroy(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A batch (or the probe) failed. The message reads on its own; the parts are kept for callers
 * that compose their own report (the ralph sink prints its run-wide counts instead of the
 * client's).
 */
export class RalphBatchError extends SinkError {
  /** Why it failed, without the endpoint and the counts: `HTTP 401, the LRS refused …: …`. */
  readonly reason: string;
  /** The LRS's HTTP status, when it answered. */
  readonly status: number | undefined;
  /** Retries spent on this batch before giving up. */
  readonly retries: number;
  /** Statements in the failed batch (0 for the probe). */
  readonly batchSize: number;

  constructor(
    message: string,
    written: { readonly statements: number },
    details: { reason: string; status?: number; retries: number; batchSize: number },
    options?: { cause?: unknown },
  ) {
    super(message, written, options);
    this.reason = details.reason;
    this.status = details.status;
    this.retries = details.retries;
    this.batchSize = details.batchSize;
  }
}

const DEFAULTS = {
  timeoutMs: 120_000,
  maxRetries: 5,
  inFlight: 1,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
} as const;

/**
 * Builds a client with one keep-alive connection pool to the LRS.
 *
 * @example
 * const client = createRalphClient({ url: 'http://127.0.0.1:8100/xAPI/statements', username: 'ralph', password });
 * const { inserted, alreadyPresent } = await client.postBatch(JSON.stringify(statements), statements.map((s) => s.id));
 * await client.close();
 */
export function createRalphClient(options: RalphClientOptions): RalphClient {
  const endpoint = validate(options);
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
  const inFlight = options.inFlight ?? DEFAULTS.inFlight;
  const retryBaseMs = options.retryBaseMs ?? DEFAULTS.retryBaseMs;
  const retryMaxMs = options.retryMaxMs ?? DEFAULTS.retryMaxMs;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const password = options.password;

  // undici is imported on the first request, not at the top: loading it took ~100 ms of every
  // process start, including runs that never talk to Ralph (#13).
  let poolPromise: Promise<Pool> | undefined;
  const getPool = (): Promise<Pool> => {
    poolPromise ??= import('undici').then(
      ({ Pool }) =>
        new Pool(endpoint.origin, {
          connections: inFlight,
          // 0 disables undici's own timers, matching timeoutMs = 0.
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          connectTimeout: timeoutMs === 0 ? 30_000 : Math.min(timeoutMs, 30_000),
        }),
    );
    return poolPromise;
  };
  const path = `${endpoint.pathname}${endpoint.search}`;
  const where = `Ralph at ${endpoint.origin}${endpoint.pathname}`;
  const headers = {
    authorization: `Basic ${Buffer.from(`${options.username}:${password}`, 'utf8').toString('base64')}`,
    'content-type': 'application/json',
    accept: 'application/json',
    'x-experience-api-version': '1.0.3',
  };
  const limit = createLimiter(inFlight);
  const stats = { batches: 0, inserted: 0, alreadyPresent: 0, retries: 0 };
  let closed = false;
  const stopping = new AbortController();
  /** A backoff wait that ends early when destroy() is called. */
  const wait = async (ms: number): Promise<void> => {
    if (stopping.signal.aborted) return;
    let onStop: (() => void) | undefined;
    const stopped = new Promise<void>((resolve) => {
      onStop = () => resolve();
      stopping.signal.addEventListener('abort', onStop, { once: true });
    });
    try {
      await Promise.race([sleep(ms), stopped]);
    } finally {
      if (onStop) stopping.signal.removeEventListener('abort', onStop);
    }
  };

  /** Response bodies are the server's words; keep them short and never echo the password. */
  function excerpt(text: string): string {
    let out = text.replace(/\s+/g, ' ').trim();
    if (password.length > 0) out = out.split(password).join('***');
    if (out.length > EXCERPT_CHARS) out = `${out.slice(0, EXCERPT_CHARS)}…`;
    return out === '' ? '(empty body)' : out;
  }

  async function attempt(body: string | Uint8Array, ids: readonly string[]): Promise<Attempt> {
    let response: Dispatcher.ResponseData;
    try {
      response = await (await getPool()).request({
        path,
        method: 'POST',
        headers,
        body,
        ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
    } catch (error) {
      return transportFailure(error, timeoutMs);
    }
    const status = response.statusCode;
    try {
      if (status === 204) {
        await response.body.dump();
        return { kind: 'done', inserted: 0 };
      }
      if (status === 200) {
        return parseInserted(await response.body.text(), ids, excerpt);
      }
      const text = await readExcerpt(response.body);
      if (status === 409) {
        const id = UUID_PATTERN.exec(text)?.[0];
        return {
          kind: 'fail',
          status,
          reason: id
            ? `statement ${id} already exists in the LRS with different content (HTTP 409: ${excerpt(text)})`
            : `a statement id already exists in the LRS with different content (HTTP 409: ${excerpt(text)})`,
        };
      }
      if (status === 408 || status === 429 || status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
        return {
          kind: 'retry',
          status,
          reason: `HTTP ${status}: ${excerpt(text)}`,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      }
      const hint = FAIL_FAST_HINTS[status] ?? 'unexpected answer from the LRS';
      return { kind: 'fail', status, reason: `HTTP ${status}, ${hint}: ${excerpt(text)}` };
    } catch (error) {
      // The status arrived but the body did not: the connection broke or timed out mid-read.
      return transportFailure(error, timeoutMs);
    }
  }

  function acknowledgedSoFar(): string {
    const total = stats.inserted + stats.alreadyPresent;
    return `${total} statement(s) acknowledged so far (${stats.inserted} inserted, ${stats.alreadyPresent} already present)`;
  }

  function sinkError(
    message: string,
    outcome: { readonly reason: string; readonly status?: number; readonly cause?: unknown },
    retries: number,
    batchSize: number,
  ): RalphBatchError {
    return new RalphBatchError(
      `${where}: ${message}; ${acknowledgedSoFar()}`,
      { statements: stats.inserted + stats.alreadyPresent },
      {
        reason: outcome.reason,
        retries,
        batchSize,
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
      },
      outcome.cause === undefined ? undefined : { cause: outcome.cause },
    );
  }

  async function probe(): Promise<void> {
    if (closed) throw sinkError('probe called after close()', { reason: 'client closed' }, 0, 0);
    const url = new URL(endpoint.href);
    url.searchParams.set('limit', '1');
    let response: Dispatcher.ResponseData;
    try {
      response = await (await getPool()).request({
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: {
          authorization: headers.authorization,
          accept: 'application/json',
          'x-experience-api-version': '1.0.3',
        },
        signal: AbortSignal.timeout(timeoutMs > 0 ? Math.min(timeoutMs, 30_000) : 30_000),
      });
    } catch (error) {
      const failure = transportFailure(error, timeoutMs > 0 ? Math.min(timeoutMs, 30_000) : 30_000);
      throw sinkError(`cannot reach the LRS: ${failure.reason}`, failure, 0, 0);
    }
    const status = response.statusCode;
    const text = await readExcerpt(response.body).catch(() => '');
    if (status === 401 || status === 404) {
      const reason = `HTTP ${status}, ${FAIL_FAST_HINTS[status]}: ${excerpt(text)}`;
      throw sinkError(`checking the endpoint before sending: ${reason}`, { reason, status }, 0, 0);
    }
  }

  async function postBatch(statementsJson: string | Uint8Array, ids: readonly string[]): Promise<PostBatchResult> {
    if (closed) throw sinkError('postBatch called after close()', { reason: 'client closed' }, 0, ids.length);
    return limit(async () => {
      let retries = 0;
      for (;;) {
        const outcome = await attempt(statementsJson, ids);
        if (outcome.kind === 'done') {
          const result = { inserted: outcome.inserted, alreadyPresent: ids.length - outcome.inserted, retries };
          stats.batches += 1;
          stats.inserted += result.inserted;
          stats.alreadyPresent += result.alreadyPresent;
          return result;
        }
        if (outcome.kind === 'fail') {
          throw sinkError(
            `batch of ${ids.length} statement(s) refused: ${outcome.reason}`,
            outcome,
            retries,
            ids.length,
          );
        }
        if (retries >= maxRetries) {
          throw sinkError(
            `batch of ${ids.length} statement(s) failed after ${retries} retr${retries === 1 ? 'y' : 'ies'}: ${outcome.reason}`,
            outcome,
            retries,
            ids.length,
          );
        }
        retries += 1;
        stats.retries += 1;
        const ceiling = Math.min(retryMaxMs, retryBaseMs * 2 ** (retries - 1));
        const jittered = Math.floor(random() * ceiling);
        const delayMs = Math.max(jittered, Math.min(outcome.retryAfterMs ?? 0, retryMaxMs));
        options.onRetry?.({ retry: retries, delayMs, reason: outcome.reason, batchSize: ids.length });
        await wait(delayMs);
        if (stopping.signal.aborted) {
          throw sinkError(
            `batch of ${ids.length} statement(s) cancelled while waiting to retry`,
            { reason: `cancelled (the run was stopped) after: ${outcome.reason}` },
            retries,
            ids.length,
          );
        }
      }
    });
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    if (poolPromise) await (await poolPromise).close();
  }

  async function destroy(): Promise<void> {
    closed = true;
    stopping.abort();
    const pool = poolPromise && (await poolPromise);
    if (pool && !pool.destroyed) await pool.destroy();
  }

  return {
    where,
    postBatch,
    probe,
    destroy,
    getStats: () => ({ ...stats }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
