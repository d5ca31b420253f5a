/**
 * The Action's one input parser: reads every input, validates it, and reports every problem at
 * once (`'perf-threshold' input: got "fast"; expected a percentage such as "50%" or 0.5`).
 * GitHub does not enforce `required:`, so nothing is assumed.
 */

import type { AspectsVersion } from '../config/types.ts';
import { aspectsVersionValue, INVALID } from '../config/values.ts';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { FILTER_IDS, type FilterId, parseFilterList } from '../reports/filters.ts';
import {
  type BackendInput,
  Backends,
  type CheckInput,
  Checks,
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
  /** Growth of selected granules that fails; `null` = the engine's default (0 embedded, 0.1 server). */
  readonly perfGranulesThreshold: number | null;
  /** Growth of rows read (embedded: estimated rows) that fails; `null` = 0.1. */
  readonly perfRowsThreshold: number | null;
  /** Filter combinations course-scoped reports run under; empty = each report once. */
  readonly perfFilters: readonly FilterId[];
  /** Snapshot, perf run and summary go here; `null` = `$RUNNER_TEMP/xapi-db-load`. */
  readonly outputDir: string | null;
  readonly failOnRegression: boolean;
  /** What runs: the report check and/or the known-answers check. */
  readonly checks: readonly CheckInput[];
  /** Journeys config for the known-answers check; `null` = the packaged oracle-size one. */
  readonly journeysConfigPath: string | null;
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
  const threshold = <T extends number | null>(
    name: string,
    fallback: T,
    what = 'a percentage such as "50%" or a ratio such as 0.5 (how much slower counts as a regression)',
  ): number | T => {
    const v = text(name);
    if (v === '') return fallback;
    const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(v);
    const n = percent ? Number(percent[1]) / 100 : Number(v);
    if (!Number.isFinite(n) || n < 0 || (!percent && !/^\d+(\.\d+)?$/.test(v))) {
      fail(name, v, what);
      return fallback;
    }
    return n;
  };
  const growth = 'a percentage such as "10%" or a ratio such as 0.1 (how much growth counts as a regression)';
  const filterList = (name: string): FilterId[] => {
    const v = text(name);
    if (v === '') return [...FILTER_IDS];
    const parsed = parseFilterList(v);
    if (typeof parsed !== 'string') return parsed;
    fail(name, v, `a comma-separated subset of ${FILTER_IDS.join(', ')}, or none`);
    return [...FILTER_IDS];
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
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(r))
      fail(Inputs.Reports, r, 'report names or prefixes such as at-risk, video-watches');
  }
  const checks: CheckInput[] = [];
  const checkText = text(Inputs.Check) || 'reports';
  for (const c of checkText.split(/[\s,]+/).filter((v) => v !== '')) {
    if ((Checks as readonly string[]).includes(c)) {
      if (!checks.includes(c as CheckInput)) checks.push(c as CheckInput);
    } else fail(Inputs.Check, c, `one or more of ${Checks.join(', ')} (comma-separated)`);
  }
  const journeysConfigPath = optional(Inputs.JourneysConfig);
  if (journeysConfigPath !== null && !checks.includes('known-answers')) {
    fail(Inputs.Check, checkText, "known-answers when 'journeys-config' is given");
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
    perfGranulesThreshold: threshold(Inputs.PerfGranulesThreshold, null, growth),
    perfRowsThreshold: threshold(Inputs.PerfRowsThreshold, null, growth),
    perfFilters: filterList(Inputs.PerfFilters),
    outputDir: optional(Inputs.OutputDir),
    failOnRegression: bool(Inputs.FailOnRegression, true),
    checks,
    journeysConfigPath,
  };
  if (config.org !== null && config.course === null) fail(Inputs.Course, '', "a course key when 'org' is given");
  if (config.course !== null && config.org === null) fail(Inputs.Org, '', "an org when 'course' is given");
  if (config.perfBaselinePath !== null && !config.perf) {
    fail(Inputs.Perf, text(Inputs.Perf), "true when 'perf-baseline' is given");
  }
  if (config.backend === 'csv' && checks.includes('known-answers')) {
    fail(Inputs.Backend, 'csv', "clickhouse when 'check' includes known-answers (the charts read ClickHouse)");
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
