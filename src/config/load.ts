/**
 * The config pipeline: read raw → rewrite legacy aliases → apply env overrides → validate every
 * key → a deeply frozen `Config`.
 */

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Document, isPair, isScalar, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { applyLegacyAliases } from './aliases.ts';
import { applyEnvOverrides, type Env } from './env.ts';
import type { Config } from './types.ts';
import { validateConfig } from './validate.ts';
import { kindOf, mappingEntries } from './values.ts';

/** Options shared by `loadConfig` and `resolveConfig`. */
export interface ConfigOptions {
  /** Environment read for the secret overrides (`XAPI_DB_LOAD_*`). @default process.env */
  readonly env?: Env;
  /** Receives deprecation and YAML warning lines. @default writes the line to stderr */
  readonly warn?: (line: string) => void;
  /**
   * Keys set on the command line (e.g. `--now` → `{ now: 'today' }`): they replace the file's
   * values and are checked like them.
   */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** Options of `resolveConfig`. */
export interface ResolveOptions extends ConfigOptions {
  /** Names the origin in the error's first line, e.g. a file path or "action inputs". */
  readonly source?: string;
  /** Stored as `Config.configFile`. @default null */
  readonly configFile?: string | null;
}

function writeToStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Validates an in-memory config (YAML-shaped: snake_case keys, plain objects or `Map`s) and
 * returns a frozen `Config`. Throws `ConfigError` listing every problem.
 *
 * @example
 * const config = resolveConfig({ backend: 'csv', csv_output_destination: 'out/', ... }, { env: {} });
 */
export function resolveConfig(raw: unknown, options: ResolveOptions = {}): Config {
  const entries = mappingEntries(raw);
  if (entries === null) {
    throw new ConfigError(
      [{ key: 'config', message: `config: got ${kindOf(raw)}; expected a mapping of config keys` }],
      options.source === undefined ? {} : { source: options.source },
    );
  }
  const warn = options.warn ?? writeToStderr;
  const normalized = applyLegacyAliases(new Map(entries), warn);
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) normalized.values.set(key, value);
  }
  const values = applyEnvOverrides(normalized.values, options.env ?? process.env);
  return validateConfig(
    { values, writtenAs: normalized.writtenAs },
    {
      configFile: options.configFile ?? null,
      ...(options.source === undefined ? {} : { source: options.source }),
    },
  );
}

/**
 * Reads a YAML config file (YAML 1.1, like the original's `safe_load`: unquoted `2014-01-01` is a
 * date, `yes`/`no` are booleans) and returns a frozen `Config`. Throws `ConfigError` (exit code 2)
 * for a missing file, bad YAML or any invalid key.
 *
 * @example
 * const config = await loadConfig('configs/default_config.yaml');
 */
export async function loadConfig(path: string, options: ConfigOptions = {}): Promise<Config> {
  const warn = options.warn ?? writeToStderr;
  const data = await readConfigDocument(path, { warn });
  return resolveConfig(data, { ...options, warn, source: path, configFile: resolve(path) });
}

/**
 * Reads a YAML config file into plain data (`Map`s for mappings) without validating its keys;
 * `loadConfig` and the journeys command share it. Throws `ConfigError` for a missing file, bad
 * YAML or a document that is not a mapping.
 */
export async function readConfigDocument(path: string, options: Pick<ConfigOptions, 'warn'> = {}): Promise<unknown> {
  const fail = (problem: string, cause?: unknown): ConfigError =>
    new ConfigError([{ key: 'config_file', message: `config_file: got ${JSON.stringify(path)}; ${problem}` }], {
      source: path,
      ...(cause === undefined ? {} : { cause }),
    });

  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') throw fail('file not found', error);
    if (code === 'EISDIR') throw fail('expected a file, found a directory', error);
    throw fail(`cannot be read (${code ?? String(error)})`, error);
  }

  const lineCounter = new LineCounter();
  // prettyErrors is off because the pretty form quotes the offending source line, which may
  // hold a password; we print the position only.
  // uniqueKeys is off because the library's check is quadratic in the number of keys (20 k keys
  // took 6 s); duplicateKeys() does the same check in one pass (issue #12, D12).
  const doc = parseDocument(text, { version: '1.1', lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const warn = options.warn ?? writeToStderr;
  for (const warning of doc.warnings) warn(`${path}: YAML warning at ${at(warning.pos[0])}: ${warning.message}`);
  const errors = [
    ...doc.errors.map((error) => ({ offset: error.pos[0], message: yamlErrorText(error) })),
    ...duplicateKeys(doc).map((offset) => ({ offset, message: 'Map keys must be unique' })),
  ];
  if (errors.length > 0) {
    const problems: ConfigProblem[] = errors.map((error) => ({
      key: 'config_file',
      message: `config_file: got ${JSON.stringify(path)}; invalid YAML at ${at(error.offset)}: ${error.message}`,
    }));
    throw new ConfigError(problems, { source: path, ...(doc.errors[0] ? { cause: doc.errors[0] } : {}) });
  }
  keepImpossibleDates(doc, text);

  let data: unknown;
  try {
    // Maps rather than objects keep integer-like size names in file order.
    data = doc.toJS({ mapAsMap: true });
  } catch (error) {
    throw fail(`invalid YAML: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (mappingEntries(data) === null) {
    const found = data === null || data === undefined ? 'an empty document' : kindOf(data);
    throw fail(`expected a mapping of config keys at the top level, found ${found}`);
  }
  return data;
}

/** The library's message, except where it names one of its own functions. */
function yamlErrorText(error: YAMLError): string {
  if (error.code === 'MULTIPLE_DOCS') return 'expected one YAML document, found several (separated by ---)';
  return error.message;
}

/** Source offsets of every key that repeats an earlier key of the same mapping, in one pass. */
function duplicateKeys(doc: Document): number[] {
  const offsets: number[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const item of map.items) {
        const key: unknown = isScalar(item.key) ? item.key.value : item.key;
        // Only scalar keys can be compared cheaply; config keys are always scalars.
        if (!isScalar(item.key)) continue;
        if (seen.has(key)) offsets.push(item.key.range?.[0] ?? 0);
        seen.add(key);
      }
    },
  });
  return offsets;
}

const WRITTEN_DAY = /^(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[Tt ])/;

/**
 * YAML 1.1 reads an unquoted `2023-02-30` as a timestamp and `Date.UTC` rolls it over to
 * 2023-03-02. A date whose written day does not exist goes on as the text the user wrote, so the
 * key's own check refuses it with every other problem (issue #12, D3).
 */
function keepImpossibleDates(doc: Document, text: string): void {
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.value) || !(pair.value.value instanceof Date)) return;
      const range = pair.value.range;
      if (!range) return;
      const written = text.slice(range[0], range[1]).trim();
      const match = WRITTEN_DAY.exec(written);
      if (!match) return;
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const back = new Date(Date.UTC(year, month - 1, day));
      if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
        pair.value.value = written;
      }
    },
  });
}
