/**
 * The committed Action bundle: `dist/` must be what `npm run bundle` produces from the sources,
 * and `dist/index.js` + `dist/post.js` run the way GitHub runs them (INPUT_* environment,
 * GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, STATE_* for the post step) against
 * the embedded engine, with the Actions cache stored in a local directory: miss → generate →
 * post saves → second run hits and matches the baseline it recorded.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ACTIONS_CACHE_ENV } from '../src/action/constants.ts';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** Parses a GITHUB_OUTPUT / GITHUB_STATE file (`name<<delimiter` blocks). */
function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] as string);
    if (!match) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i] as string);
    out[match[1] as string] = value.join('\n');
  }
  return out;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'xapi-db-load-action-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('dist/', () => {
  it('is up to date with the sources (run `npm run bundle` when this fails)', async () => {
    const fresh = join(work, 'dist');
    await execFileAsync(process.execPath, [join(root, 'scripts/bundle.mjs'), fresh], { cwd: root });
    const committed = join(root, 'dist');
    const files = await listFiles(fresh);
    expect(await listFiles(committed)).toEqual(files);
    for (const file of files) {
      const [a, b] = await Promise.all([readFile(join(fresh, file)), readFile(join(committed, file))]);
      expect(a.equals(b), `dist/${file} is stale: run \`npm run bundle\``).toBe(true);
    }
  });

  it('keeps chdb out of the bundle', async () => {
    const index = await readFile(join(root, 'dist/index.js'), 'utf8');
    expect(index).not.toMatch(/node_modules\/chdb\//);
  });
});

describe('the Action, run like GitHub runs it', () => {
  interface StepFiles {
    readonly output: string;
    readonly state: string;
    readonly summary: string;
  }

  async function step(
    script: 'index.js' | 'post.js',
    env: Record<string, string>,
    files: StepFiles,
  ): Promise<{ code: number; stdout: string }> {
    try {
      const { stdout } = await execFileAsync(process.execPath, [join(root, 'dist', script)], {
        cwd: join(work, 'workspace'),
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? work,
          GITHUB_WORKSPACE: join(work, 'workspace'),
          GITHUB_OUTPUT: files.output,
          GITHUB_STATE: files.state,
          GITHUB_STEP_SUMMARY: files.summary,
          [LOCAL_ACTIONS_CACHE_ENV]: join(work, 'actions-cache'),
          ...env,
        },
        maxBuffer: 16 * 1024 * 1024,
      });
      return { code: 0, stdout };
    } catch (error) {
      const e = error as { code?: number; stdout?: string };
      return { code: e.code ?? 1, stdout: e.stdout ?? '' };
    }
  }

  async function job(name: string): Promise<{ files: StepFiles; runnerTemp: string }> {
    const dir = join(work, name);
    const runnerTemp = join(dir, 'temp');
    await mkdir(runnerTemp, { recursive: true });
    const files = { output: join(dir, 'output'), state: join(dir, 'state'), summary: join(dir, 'summary.md') };
    for (const f of Object.values(files)) await writeFile(f, '');
    return { files, runnerTemp };
  }

  const inputs = { INPUT_CONFIG: 'dataset.yaml', INPUT_BASELINE: 'baseline-v{aspects_version}.json' };
  const perfInputs = {
    INPUT_PERF: 'true',
    'INPUT_PERF-REPEATS': '1',
    'INPUT_PERF-THRESHOLD': '100000%',
    'INPUT_PERF-MIN-DIFF-MS': '100000',
  };

  it('names the counts output by table for the csv backend as for a load', { timeout: 120_000 }, async () => {
    await mkdir(join(work, 'workspace'), { recursive: true });
    const tiny = await readFile(join(root, 'configs/presets/tiny.yaml'), 'utf8');
    await writeFile(
      join(work, 'workspace/csv-dataset.yaml'),
      tiny.replace(/^num_xapi_batches: .*$/m, 'num_xapi_batches: 1').replace(/^num_workers: .*$/m, 'num_workers: 1'),
    );
    const csv = await job('csv');
    const run = await step(
      'index.js',
      { INPUT_CONFIG: 'csv-dataset.yaml', INPUT_BACKEND: 'csv', INPUT_CACHE: 'false', RUNNER_TEMP: csv.runnerTemp },
      csv.files,
    );
    expect(run.code, run.stdout).toBe(0);
    const counts = JSON.parse(parseCommandFile(await readFile(csv.files.output, 'utf8')).counts ?? '{}');
    expect(Object.keys(counts).sort()).toEqual([
      'course_blocks',
      'course_overviews',
      'external_id',
      'object_tag',
      'tag',
      'taxonomy',
      'user_profile',
      'xapi_events_all',
    ]);
    expect(counts.taxonomy).toBe(1);
  });

  it('misses, generates, saves in post; then hits and matches the recorded baseline', {
    timeout: 120_000,
  }, async () => {
    await mkdir(join(work, 'workspace'), { recursive: true });
    const tiny = await readFile(join(root, 'configs/presets/tiny.yaml'), 'utf8');
    await writeFile(
      join(work, 'workspace/dataset.yaml'),
      tiny.replace(/^num_xapi_batches: .*$/m, 'num_xapi_batches: 2').replace(/^num_workers: .*$/m, 'num_workers: 1'),
    );

    // Job 1: cache miss, dataset generated, baseline recorded.
    const one = await job('job1');
    const main1 = await step(
      'index.js',
      { ...inputs, 'INPUT_UPDATE-BASELINE': 'true', RUNNER_TEMP: one.runnerTemp },
      one.files,
    );
    expect(main1.code, main1.stdout).toBe(0);
    const out1 = parseCommandFile(await readFile(one.files.output, 'utf8'));
    expect(out1['cache-hit']).toBe('false');
    expect(out1['report-status']).toBe('updated');
    expect(out1['dataset-hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(out1.counts ?? '{}').xapi_events_all).toBeGreaterThan(0);
    expect(await readFile(out1['snapshot-path'] ?? '', 'utf8')).toContain('"fact-instance-enrollments"');
    const state1 = parseCommandFile(await readFile(one.files.state, 'utf8'));
    expect(state1['cache-save']).toBe('true');
    expect(await readdir(join(work, 'actions-cache')).catch(() => [])).toEqual([]);

    // Post of job 1: the dataset goes into the (local) Actions cache.
    const stateEnv = Object.fromEntries(Object.entries(state1).map(([k, v]) => [`STATE_${k}`, v]));
    const post1 = await step('post.js', { ...stateEnv, RUNNER_TEMP: one.runnerTemp }, one.files);
    expect(post1.code, post1.stdout).toBe(0);
    expect(await readdir(join(work, 'actions-cache'))).toEqual([state1['cache-key']]);

    // Job 2 on a fresh runner: cache hit, reports match the baseline job 1 recorded.
    const two = await job('job2');
    const main2 = await step('index.js', { ...inputs, ...perfInputs, RUNNER_TEMP: two.runnerTemp }, two.files);
    expect(main2.code, main2.stdout).toBe(0);
    const out2 = parseCommandFile(await readFile(two.files.output, 'utf8'));
    expect(out2['cache-hit']).toBe('true');
    expect(out2['dataset-hash']).toBe(out1['dataset-hash']);
    expect(out2['report-status']).toBe('pass');
    expect(out2.regressions).toBe('');
    const summary = await readFile(two.files.summary, 'utf8');
    expect(summary).toContain('## xapi-db-load report check: ✅ no regression');
    expect(summary).toContain(
      '| `fact-instance-enrollments` Enrollment events per day and status, instance-wide | ✅ match |',
    );
    expect(summary).toContain('### Timing');
    const state2 = parseCommandFile(await readFile(two.files.state, 'utf8'));
    expect(state2['cache-save']).toBeUndefined();

    // Job 3: a baseline that no longer matches fails the step, naming the report. The input's
    // {aspects_version} named the default release's file.
    const baselinePath = join(work, 'workspace/baseline-v8.0.0.json');
    const baseline = JSON.parse(await readFile(baselinePath, 'utf8'));
    baseline.reports['dim-course-names'].rows[0][1] += 1;
    await writeFile(baselinePath, JSON.stringify(baseline));
    const three = await job('job3');
    const main3 = await step(
      'index.js',
      { ...inputs, INPUT_REPORTS: 'dim-course-names', RUNNER_TEMP: three.runnerTemp },
      three.files,
    );
    expect(main3.code).toBe(1);
    expect(main3.stdout).toContain('::error::Aspects report regression (reports changed: dim-course-names)');
    const out3 = parseCommandFile(await readFile(three.files.output, 'utf8'));
    expect(out3['report-status']).toBe('regression');
    expect(out3.regressions).toBe('dim-course-names');
  });

  it('check: known-answers loads the journeys beside the dataset and puts the bar table in the job summary', {
    timeout: 300_000,
  }, async () => {
    await mkdir(join(work, 'workspace'), { recursive: true });
    const tiny = await readFile(join(root, 'configs/presets/tiny.yaml'), 'utf8');
    await writeFile(
      join(work, 'workspace/ka-dataset.yaml'),
      tiny.replace(/^num_xapi_batches: .*$/m, 'num_xapi_batches: 1').replace(/^num_workers: .*$/m, 'num_workers: 1'),
    );
    const ka = await job('known-answers');
    const run = await step(
      'index.js',
      {
        INPUT_CONFIG: 'ka-dataset.yaml',
        INPUT_CACHE: 'false',
        INPUT_CHECK: 'known-answers',
        'INPUT_FAIL-ON-REGRESSION': 'false',
        RUNNER_TEMP: ka.runnerTemp,
      },
      ka.files,
    );
    expect(run.code, run.stdout).toBe(0);
    const out = parseCommandFile(await readFile(ka.files.output, 'utf8'));
    expect(out['report-status']).toBe('skipped');
    expect(['match', 'differ']).toContain(out['known-answers']);
    const summary = await readFile(ka.files.summary, 'utf8');
    expect(summary).toMatch(/^### Known answers \(aspects-dbt v\d+\.\d+\.\d+\): /m);
    expect(summary).toContain('| chart | course | bars | matched | differing |');
    expect(summary.split('\n').filter((l) => l.startsWith('| Enrollments by mode'))).toHaveLength(6);
    if (out['known-answers'] === 'differ') expect(run.stdout).toContain('::warning::');
  });

  it('fails with every invalid input listed', async () => {
    const bad = await job('bad');
    const result = await step(
      'index.js',
      { INPUT_CACHE: 'maybe', INPUT_TARGET: 'url', RUNNER_TEMP: bad.runnerTemp },
      bad.files,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`'cache' input: got "maybe"; expected true or false`);
    expect(result.stdout).toContain(`'clickhouse-url' input: got ""; expected a URL when 'target' is url`);
  });
});
