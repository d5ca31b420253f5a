/**
 * One error family for the whole tool. The CLI maps each class to an exit code:
 * `ConfigError` → 2 (usage/config), everything else → 1 (runtime failure).
 */

/** Base class: every error the tool raises on purpose. */
export class XapiDbLoadError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem found in a configuration: the key, the value seen and what was expected. */
export interface ConfigProblem {
  /** The user-facing (snake_case) key, e.g. `num_xapi_batches` or `course_size_makeup.small.actors`. */
  readonly key: string;
  /** One line: `num_xapi_batches: got "ten"; expected a positive integer`. */
  readonly message: string;
}

/** Invalid configuration or usage. Carries every problem found, one line each. */
export class ConfigError extends XapiDbLoadError {
  override readonly exitCode: number = 2;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown; source?: string }) {
    const where = options?.source ? ` in ${options.source}` : '';
    const head =
      problems.length === 1
        ? `Invalid configuration${where}:`
        : `Invalid configuration${where} (${problems.length} problems):`;
    super([head, ...problems.map((p) => `  - ${p.message}`)].join('\n'), options);
    this.problems = problems;
  }
}

/** Counts of what a sink wrote before it failed, so a failure never hides partial work. */
export interface WrittenCounts {
  readonly [table: string]: number;
}

/** A destination (file, ClickHouse, Ralph, S3) failed; carries what had been written. */
export class SinkError extends XapiDbLoadError {
  readonly written: WrittenCounts;

  constructor(message: string, written: WrittenCounts, options?: { cause?: unknown }) {
    super(message, options);
    this.written = written;
  }
}

/** One table of a verification: rows the plan expects this load to add, and rows it added. */
export interface VerifiedTable {
  /** `db.table` in ClickHouse. */
  readonly table: string;
  readonly expected: number;
  readonly loaded: number;
  readonly ok: boolean;
}

/** Rows in ClickHouse differ from what the config implies; carries the per-table report. */
export class VerificationError extends XapiDbLoadError {
  /** Every table checked, the mismatched ones with `ok: false` (empty when not known). */
  readonly tables: readonly VerifiedTable[];

  constructor(message: string, options?: { cause?: unknown; tables?: readonly VerifiedTable[] }) {
    super(message, options);
    this.tables = options?.tables ?? [];
  }

  /** The tables whose rows differ. */
  get mismatches(): readonly VerifiedTable[] {
    return this.tables.filter((t) => !t.ok);
  }
}

/** ClickHouse could not be opened or reached (embedded directory, server, container). */
export class ConnectionError extends XapiDbLoadError {
  /** The target as printed in the message, without secrets (e.g. `ClickHouse at host:8123`). */
  readonly target: string;

  constructor(message: string, target: string, options?: { cause?: unknown }) {
    super(message, options);
    this.target = target;
  }
}

/** One statement of the Aspects schema failed; carries which one. */
export class SchemaStatementError extends XapiDbLoadError {
  /** Schema file the statement comes from, e.g. `04-event-sink.sql`. */
  readonly file: string;
  /** 1-based position of the statement in its file. */
  readonly index: number;
  /** The statement's head, e.g. `CREATE TABLE IF NOT EXISTS event_sink.course_overviews`. */
  readonly label: string;

  constructor(
    message: string,
    statement: { file: string; index: number; label: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.file = statement.file;
    this.index = statement.index;
    this.label = statement.label;
  }
}

/** Files a load needs are not where it looks; carries every missing name and the place. */
export class MissingFilesError extends XapiDbLoadError {
  /** Directory or URL prefix that was searched (no secrets). */
  readonly location: string;
  readonly missing: readonly string[];

  constructor(message: string, location: string, missing: readonly string[], options?: { cause?: unknown }) {
    super(message, options);
    this.location = location;
    this.missing = missing;
  }
}

/**
 * What the target's databases and load ledger hold forbids this load (data from another
 * dataset, a partial load…); nothing was written. Carries the state that was found.
 */
export class LedgerStateError<S extends { readonly kind: string } = { readonly kind: string }> extends XapiDbLoadError {
  readonly state: S;

  constructor(message: string, state: S, options?: { cause?: unknown }) {
    super(message, options);
    this.state = state;
  }
}

/** A report's snapshot differs from its baseline. */
export class ReportMismatchError extends XapiDbLoadError {}

/** A report got slower than its baseline allows. */
export class PerfRegressionError extends XapiDbLoadError {}

/** Renders any thrown value as a message; never lets a non-Error vanish. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return `non-Error thrown: ${JSON.stringify(error)}`;
  } catch {
    return `non-Error thrown: ${String(error)}`;
  }
}

/**
 * The run was stopped (a signal, or its abort signal fired). Carries what was written, like a
 * {@link SinkError}. Exit code 130 for SIGINT (Ctrl-C), 143 for SIGTERM, as a shell reports a
 * process killed by them.
 */
export class InterruptedError extends SinkError {
  override readonly exitCode: number;

  constructor(message: string, exitCode: number, written: WrittenCounts = {}, options?: { cause?: unknown }) {
    super(message, written, options);
    this.exitCode = exitCode;
  }

  /** The error a signal handler aborts with. */
  static fromSignal(signal: 'SIGINT' | 'SIGTERM'): InterruptedError {
    return new InterruptedError(
      signal === 'SIGINT' ? 'interrupted (SIGINT)' : 'terminated (SIGTERM)',
      signal === 'SIGINT' ? 130 : 143,
    );
  }
}

/** The container target cannot run here: Docker (or the testcontainers package) is missing. */
export class ContainerUnavailableError extends XapiDbLoadError {
  /** One line, suitable for `skip(true, reason)`. */
  readonly reason: string;

  constructor(message: string, reason: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
