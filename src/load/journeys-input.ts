/** The input of a journeys load: its output directory checked, the manifest read and every file present. */

import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, describeError } from '../errors.ts';
import type { TableKey } from '../formats/tables.ts';
import { EXPECTED_TABLES, type ExpectedTable } from '../journeys/oracle.ts';

/** Journeys file → the event-sink or raw table it loads into (same columns as `load-db`'s files). */
export const FILE_TABLE = {
  courses: 'courseOverviews',
  blocks: 'courseBlocks',
  external_ids: 'externalIds',
  user_profiles: 'userProfiles',
  xapi: 'xapi',
} as const satisfies Record<string, TableKey>;
export type SinkFile = keyof typeof FILE_TABLE;
export const SINK_FILES = Object.keys(FILE_TABLE) as SinkFile[];

/** What `journeys` wrote, as its manifest says. */
export interface JourneysManifest {
  readonly seed: number;
  readonly now: string;
  readonly rows: Readonly<Record<string, number>>;
  readonly files: Readonly<Record<string, string>>;
  readonly edgeCases: Readonly<Record<string, number>>;
  readonly sortEvents: boolean;
}

/** A journeys output directory, checked: the manifest read and every file present. */
export interface JourneysInput {
  readonly dir: string;
  readonly manifest: JourneysManifest;
  /** Absolute path of each file. */
  readonly paths: Readonly<Record<SinkFile | ExpectedTable, string>>;
}

export function badInput(key: string, message: string, cause?: unknown): ConfigError {
  return new ConfigError([{ key, message }], cause === undefined ? {} : { cause });
}

/**
 * Reads `manifest.json` of a journeys output and checks every file it names is there.
 * @throws ConfigError (exit 2) naming the directory and what is missing.
 */
export async function readJourneysInput(dir: string): Promise<JourneysInput> {
  const root = resolve(dir);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8'));
  } catch (error) {
    throw badInput(
      'input_dir',
      `input_dir: got ${JSON.stringify(dir)}; expected the output directory of \`xapi-db-load journeys\` with its manifest.json (${describeError(error).split('\n')[0]})`,
      error,
    );
  }
  const m = raw as {
    seed?: unknown;
    now?: unknown;
    rows?: Record<string, unknown>;
    files?: Record<string, unknown>;
    edge_cases?: Record<string, unknown>;
    config?: { sort_events?: unknown };
  };
  const wanted = [...SINK_FILES, ...EXPECTED_TABLES];
  const missingKeys = wanted.filter((f) => typeof m.files?.[f] !== 'string' || typeof m.rows?.[f] !== 'number');
  if (missingKeys.length > 0) {
    throw badInput(
      'input_dir',
      `input_dir: ${JSON.stringify(dir)}/manifest.json lists no ${missingKeys.join(', ')}; expected a manifest written by \`xapi-db-load journeys\` (regenerate the files with this version)`,
    );
  }
  const paths = Object.fromEntries(wanted.map((f) => [f, join(root, String(m.files?.[f]))])) as Record<
    SinkFile | ExpectedTable,
    string
  >;
  const absent: string[] = [];
  for (const [file, path] of Object.entries(paths)) {
    try {
      await access(path);
    } catch {
      absent.push(`${file} (${path})`);
    }
  }
  if (absent.length > 0) {
    throw badInput(
      'input_dir',
      `input_dir: ${JSON.stringify(dir)} lacks ${absent.join(', ')}; expected every file its manifest names`,
    );
  }
  const numbers = (o: Record<string, unknown> | undefined) =>
    Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, Number(v)]));
  return {
    dir: root,
    manifest: {
      seed: Number(m.seed),
      now: String(m.now),
      rows: numbers(m.rows),
      files: Object.fromEntries(Object.entries(m.files ?? {}).map(([k, v]) => [k, String(v)])),
      edgeCases: numbers(m.edge_cases),
      sortEvents: m.config?.sort_events === true,
    },
    paths,
  };
}
