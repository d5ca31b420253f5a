/**
 * The Action's inputs: `action.yml` and `src/action/constants.ts` list the same names, and
 * `readActionConfig` validates every input, reporting all problems at once.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readActionConfig } from '../src/action/config.ts';
import { Inputs, Outputs } from '../src/action/constants.ts';
import { ConfigError } from '../src/errors.ts';

const actionYml = parse(await readFile(new URL('../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: Record<string, string>;
};

/** Inputs as GitHub passes them: the action.yml defaults, overridden by `given`. */
function reader(given: Record<string, string>): (name: string) => string {
  return (name) => given[name] ?? actionYml.inputs[name]?.default ?? '';
}

describe('action.yml', () => {
  it('declares exactly the inputs and outputs of constants.ts', () => {
    expect(Object.keys(actionYml.inputs).sort()).toEqual(Object.values(Inputs).sort());
    expect(Object.keys(actionYml.outputs).sort()).toEqual(Object.values(Outputs).sort());
  });

  it('runs on node24 with a post step that only runs after success', () => {
    expect(actionYml.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post.js',
      'post-if': 'success()',
    });
  });
});

describe('examples/workflows', () => {
  it.each(['aspects-reports-service.yml', 'aspects-reports-container.yml'])(
    '%s passes only known inputs',
    async (file) => {
      const workflow = parse(await readFile(new URL(`../examples/workflows/${file}`, import.meta.url), 'utf8')) as {
        jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
      };
      const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
      const ours = steps.filter((s) => s.uses?.startsWith('openedx/xapi-db-load-action@'));
      expect(ours).toHaveLength(1);
      const given = Object.keys(ours[0]?.with ?? {});
      expect(given.filter((k) => !(Object.values(Inputs) as string[]).includes(k))).toEqual([]);
      // Literal values must pass the Action's own validation.
      const literal = Object.fromEntries(
        Object.entries(ours[0]?.with ?? {})
          .filter(([, v]) => !String(v).includes('${{'))
          .map(([k, v]) => [k, String(v)]),
      );
      expect(() => readActionConfig(reader(literal))).not.toThrow();
    },
  );
});

describe('readActionConfig', () => {
  it('gives the documented defaults', () => {
    expect(readActionConfig(reader({}))).toMatchObject({
      configPath: null,
      preset: 'tiny',
      aspectsVersion: null,
      backend: 'clickhouse',
      target: 'embedded',
      clickhouseUser: 'default',
      cache: true,
      updateBaseline: false,
      reports: [],
      perf: false,
      perfThreshold: 0.5,
      perfMinDiffMs: 5,
      perfRepeats: 5,
      failOnRegression: true,
    });
  });

  it('infers the url target from clickhouse-url and parses lists and percentages', () => {
    const config = readActionConfig(
      reader({
        'clickhouse-url': 'http://localhost:8123',
        reports: 'r01, r11\nr12',
        perf: 'true',
        'perf-threshold': '25%',
      }),
    );
    expect(config).toMatchObject({ target: 'url', reports: ['r01', 'r11', 'r12'], perfThreshold: 0.25 });
  });

  it('reads aspects-version with or without the v', () => {
    expect(readActionConfig(reader({ 'aspects-version': 'v7.0.0' })).aspectsVersion).toBe('7.0.0');
    expect(readActionConfig(reader({ 'aspects-version': '8.0.0' })).aspectsVersion).toBe('8.0.0');
  });

  it.each([
    [{ preset: 'huge' }, `'preset' input: got "huge"; expected one of tiny, small, medium`],
    [{ cache: 'yes' }, `'cache' input: got "yes"; expected true or false`],
    [
      { 'aspects-version': '8.1' },
      `'aspects-version' input: got "8.1"; expected one of 7.0.0, 8.0.0 (did you mean "8.0.0"?)`,
    ],
    [{ target: 'url' }, `'clickhouse-url' input: got ""; expected a URL when 'target' is url`],
    [
      { 'clickhouse-url': 'http://admin:pw@host:8123' },
      `'clickhouse-url' input: got "http://admin:pw@host:8123"; expected an http(s) URL such as http://localhost:8123, without credentials (use clickhouse-user / clickhouse-password)`,
    ],
    [
      { 'perf-threshold': 'fast' },
      `'perf-threshold' input: got "fast"; expected a percentage such as "50%" or a ratio such as 0.5 (how much slower counts as a regression)`,
    ],
    [{ 'perf-repeats': '0' }, `'perf-repeats' input: got "0"; expected an integer >= 1`],
    [{ 'keep-container': 'true' }, `'keep-container' input: got "true"; expected nothing unless 'target' is container`],
    [{ org: 'Org0' }, `'course' input: got ""; expected a course key when 'org' is given`],
    [
      { config: 'my.yaml', preset: 'small' },
      `'preset' input: got "small"; expected no preset when 'config' is given (got config "my.yaml")`,
    ],
  ])('rejects %j', (given, message) => {
    expect(() => readActionConfig(reader(given))).toThrowError(message);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      readActionConfig(reader({ cache: 'maybe', 'perf-repeats': 'x', backend: 'ralph' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.key)).toEqual(['backend', 'cache', 'perf-repeats']);
  });
});
