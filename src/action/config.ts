/**
 * The Action's one input parser: reads every input, validates it, and reports every problem at
 * once (`'perf-threshold' input: got "fast"; expected a percentage such as "50%" or 0.5`).
 * GitHub does not enforce `required:`, so nothing is assumed.
 */

import type { AspectsVersion } from '../config/types.ts';
import { aspectsVersionValue, INVALID } from '../config/values.ts';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import {
  type BackendInput,
  Backends,
  Inputs,
  type PresetInput,
  Presets,
  type TargetInput,
  Targets,
} from './constants.ts';

/** Reads one input as a trimmed string ('' when unset), like `core.getInput`. */
export type InputReader = (name: string) => string;

export interface ActionConfig {
  /** A YAML config file, or `null` to use {@link preset}. */
  readonly configPath: string | null;
  readonly preset: PresetInput;
  /** Overrides the dataset config's `aspects_version` (without the "v"), or `null` to keep it. */
  readonly aspectsVersion: AspectsVersion | null;
  readonly backend: BackendInput;
  readonly target: TargetInput;
  readonly clickhouseUrl: string | null;
  readonly clickhouseUser: string;
  readonly clickhousePassword: string;
  readonly containerImage: string | null;
  readonly keepContainer: boolean;
  readonly cache: boolean;
  readonly baselinePath: string | null;
  readonly updateBaseline: boolean;
  /** Report names or prefixes; empty = all. */
  readonly reports: readonly string[];
  readonly reportsDir: string | null;
  readonly org: string | null;
  readonly course: string | null;
  readonly perf: boolean;
  readonly perfBaselinePath: string | null;
  /** Relative: 0.5 = 50 % slower. */
  readonly perfThreshold: number;
  readonly perfMinDiffMs: number;
  readonly perfRepeats: number;
  /** Snapshot, perf run and summary go here; `null` = `$RUNNER_TEMP/xapi-db-load`. */
  readonly outputDir: string | null;
  readonly failOnRegression: boolean;
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/**
 * Parses and validates every input.
 *
 * @example
 * const config = readActionConfig((name) => core.getInput(name));
 */
export function readActionConfig(read: InputReader): ActionConfig {
  const problems: ConfigProblem[] = [];
  const fail = (name: string, got: string, expected: string) =>
    problems.push({ key: name, message: `'${name}' input: got ${JSON.stringify(got)}; expected ${expected}` });
  const text = (name: string): string => read(name).trim();
  const optional = (name: string): string | null => {
    const v = text(name);
    return v === '' ? null : v;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = text(name);
    if (v === '') return fallback;
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    fail(name, v, 'true or false');
    return fallback;
  };
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = text(name);
    if (v === '') return fallback;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    fail(name, v, `one of ${allowed.join(', ')}`);
    return fallback;
  };
  const integer = (name: string, fallback: number, min: number): number => {
    const v = text(name);
    if (v === '') return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) {
      fail(name, v, `an integer >= ${min}`);
      return fallback;
    }
    return n;
  };
  const number = (name: string, fallback: number): number => {
    const v = text(name);
    if (v === '') return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      fail(name, v, 'a non-negative number');
      return fallback;
    }
    return n;
  };
  const threshold = (name: string, fallback: number): number => {
    const v = text(name);
    if (v === '') return fallback;
    const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(v);
    const n = percent ? Number(percent[1]) / 100 : Number(v);
    if (!Number.isFinite(n) || n < 0 || (!percent && !/^\d+(\.\d+)?$/.test(v))) {
      fail(name, v, 'a percentage such as "50%" or a ratio such as 0.5 (how much slower counts as a regression)');
      return fallback;
    }
    return n;
  };

  const configPath = optional(Inputs.Config);
  const preset = choice(Inputs.Preset, Presets, 'tiny');
  if (configPath !== null && text(Inputs.Preset) !== '') {
    fail(
      Inputs.Preset,
      text(Inputs.Preset),
      `no preset when 'config' is given (got config ${JSON.stringify(configPath)})`,
    );
  }
  const versionText = optional(Inputs.AspectsVersion);
  let aspectsVersion: AspectsVersion | null = null;
  if (versionText !== null) {
    const parsed = aspectsVersionValue.parse(versionText);
    const hint = aspectsVersionValue.hint?.(versionText);
    if (parsed === INVALID)
      fail(Inputs.AspectsVersion, versionText, `${aspectsVersionValue.expected}${hint ? ` (${hint})` : ''}`);
    else aspectsVersion = parsed;
  }
  const backend = choice(Inputs.Backend, Backends, 'clickhouse');
  const clickhouseUrl = optional(Inputs.ClickHouseUrl);
  const target = choice(Inputs.Target, Targets, clickhouseUrl === null ? 'embedded' : 'url');
  if (clickhouseUrl !== null) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(clickhouseUrl);
    } catch {
      parsed = null;
    }
    if (parsed === null || !['http:', 'https:'].includes(parsed.protocol) || parsed.username || parsed.password) {
      fail(
        Inputs.ClickHouseUrl,
        clickhouseUrl,
        'an http(s) URL such as http://localhost:8123, without credentials (use clickhouse-user / clickhouse-password)',
      );
    }
  }
  if (target === 'url' && clickhouseUrl === null) {
    fail(Inputs.ClickHouseUrl, '', "a URL when 'target' is url");
  }
  if (target !== 'url' && clickhouseUrl !== null && text(Inputs.Target) !== '') {
    fail(Inputs.Target, text(Inputs.Target), `url when 'clickhouse-url' is given`);
  }
  const containerImage = optional(Inputs.ContainerImage);
  const keepContainer = bool(Inputs.KeepContainer, false);
  if (target !== 'container' && (containerImage !== null || keepContainer)) {
    fail(
      containerImage !== null ? Inputs.ContainerImage : Inputs.KeepContainer,
      containerImage ?? 'true',
      "nothing unless 'target' is container",
    );
  }
  const reports = text(Inputs.Reports)
    .split(/[\s,]+/)
    .filter((s) => s !== '');
  for (const r of reports) {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(r)) fail(Inputs.Reports, r, 'report names or prefixes such as r01, r11a');
  }
  const config: ActionConfig = {
    configPath,
    preset,
    aspectsVersion,
    backend,
    target,
    clickhouseUrl,
    clickhouseUser: text(Inputs.ClickHouseUser) || 'default',
    clickhousePassword: read(Inputs.ClickHousePassword),
    containerImage,
    keepContainer,
    cache: bool(Inputs.Cache, true),
    baselinePath: optional(Inputs.Baseline),
    updateBaseline: bool(Inputs.UpdateBaseline, false),
    reports,
    reportsDir: optional(Inputs.ReportsDir),
    org: optional(Inputs.Org),
    course: optional(Inputs.Course),
    perf: bool(Inputs.Perf, false),
    perfBaselinePath: optional(Inputs.PerfBaseline),
    perfThreshold: threshold(Inputs.PerfThreshold, 0.5),
    perfMinDiffMs: number(Inputs.PerfMinDiffMs, 5),
    perfRepeats: integer(Inputs.PerfRepeats, 5, 1),
    outputDir: optional(Inputs.OutputDir),
    failOnRegression: bool(Inputs.FailOnRegression, true),
  };
  if (config.org !== null && config.course === null) fail(Inputs.Course, '', "a course key when 'org' is given");
  if (config.course !== null && config.org === null) fail(Inputs.Org, '', "an org when 'course' is given");
  if (config.perfBaselinePath !== null && !config.perf) {
    fail(Inputs.Perf, text(Inputs.Perf), "true when 'perf-baseline' is given");
  }
  if (config.backend === 'csv' && (config.baselinePath !== null || config.perf)) {
    fail(
      Inputs.Backend,
      'csv',
      "clickhouse when 'baseline' or 'perf' is given (the csv backend only builds the dataset)",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems, { source: 'action inputs' });
  return Object.freeze(config);
}
