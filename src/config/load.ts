/**
 * The config pipeline: read raw → rewrite legacy aliases → apply env overrides → validate every
 * key → a deeply frozen `Config`.
 */

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
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
  const doc = parseDocument(text, { version: '1.1', lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const warn = options.warn ?? writeToStderr;
  for (const warning of doc.warnings) warn(`${path}: YAML warning at ${at(warning.pos[0])}: ${warning.message}`);
  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.map((error) => ({
      key: 'config_file',
      message: `config_file: got ${JSON.stringify(path)}; invalid YAML at ${at(error.pos[0])}: ${error.message}`,
    }));
    throw new ConfigError(problems, { source: path, cause: doc.errors[0] });
  }

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
