/**
 * `--aspects-assets`: the six charts' real queries, rendered from the tutor-contrib-aspects 6.1.0
 * wheel (downloaded from PyPI with pip; without network or pip the file is skipped with one
 * line), run against the project's models beside our renditions of them.
 */

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import type { SchemaNames } from '../src/clickhouse/schema.ts';
import { resolveJourneysConfig } from '../src/journeys/config.ts';
import { generateJourneys } from '../src/journeys/generate.ts';
import { loadJourneys, readJourneysInput } from '../src/load/journeys.ts';
import { loadAspectsAssetCharts, renderAssetTemplate } from '../src/reports/aspects-assets.ts';
import { type ChartCourseResult, checkKnownAnswers, KNOWN_ANSWER_CHARTS } from '../src/reports/known-answers.ts';

const run = promisify(execFile);
const work = await mkdtemp(join(tmpdir(), 'xdl-aspects-assets-'));

/** Downloads and unzips the wheel; the reason when it cannot. */
async function fetchWheel(): Promise<{ dir: string } | { reason: string }> {
  try {
    await run('python3', ['-m', 'pip', 'download', 'tutor-contrib-aspects==6.1.0', '--no-deps', '-q', '-d', work], {
      timeout: 180_000,
    });
    const wheel = (await readdir(work)).find((f) => f.endsWith('.whl'));
    if (!wheel) return { reason: 'pip downloaded no wheel' };
    const dir = join(work, 'wheel');
    await run('python3', ['-m', 'zipfile', '-e', join(work, wheel), dir], { timeout: 60_000 });
    return { dir };
  } catch (error) {
    return { reason: String((error as Error).message).split('\n')[0] ?? 'unknown' };
  }
}

const wheel = await fetchWheel();
if ('reason' in wheel) console.warn(`skipped: tutor-contrib-aspects 6.1.0 wheel unavailable (${wheel.reason})`);

let ch: ClickHouse;
const names: SchemaNames = {
  xapiDb: 'xapi_assets',
  eventSinkDb: 'event_sink_assets',
  reportingDb: 'reporting_assets',
  rawTable: 'xapi_events_all',
  aspectsVersion: '8.0.0',
};

afterAll(async () => {
  await ch?.close();
  await rm(work, { recursive: true, force: true });
});

describe('renderAssetTemplate', () => {
  it('expands includes and Tutor settings, drops filter_values blocks, refuses anything else', async () => {
    const dir = join(work, 'templates');
    await mkdir(join(dir, 'q'), { recursive: true });
    await writeFile(
      join(dir, 'q', 'filters.sql'),
      '{% raw -%}\n{% if filter_values("org") != [] %}\n and org in {{ filter_values("org") | where_in }}\n{% endif %}\n{%- endraw %}',
    );
    const sql = await renderAssetTemplate(
      "{% filter indent(width=2) %}select 1 from {{ DBT_PROFILE_TARGET_DATABASE }}.t where 1 = 1 {% include 'q/filters.sql' %}{% endfilter %}",
      dir,
    );
    expect(sql.replace(/\s+/g, ' ').trim()).toBe('select 1 from {{reporting_db}}.t where 1 = 1');
    await expect(renderAssetTemplate('select {{ SOMETHING_ELSE }}', dir)).rejects.toThrow(
      'unknown Tutor setting {{ SOMETHING_ELSE }}',
    );
    await expect(renderAssetTemplate('{% for x in y %}{% endfor %}', dir)).rejects.toThrow(
      'unsupported template construct {% for x in y %}',
    );
  });
});

describe.skipIf('reason' in wheel)('the six Aspects charts from the tutor-contrib-aspects 6.1.0 wheel', () => {
  beforeAll(async () => {
    const doc = parse(await readFile(new URL('../configs/journeys/oracle.yaml', import.meta.url), 'utf8'));
    await generateJourneys(
      resolveJourneysConfig(doc, { overrides: { outputDir: join(work, 'journeys'), now: '2026-10-08 12:00:00' } }),
    );
    ch = await createClickHouse({ kind: 'embedded' });
    await loadJourneys(await readJourneysInput(join(work, 'journeys')), { clickhouse: ch, names });
  }, 600_000);

  it('render, run, and give the same verdict per course as our renditions of the same charts', async () => {
    const assets = await loadAspectsAssetCharts((wheel as { dir: string }).dir);
    expect(assets).toHaveLength(6);
    const lines: string[] = [];
    const result = await checkKnownAnswers(ch, names, {
      charts: [...KNOWN_ANSWER_CHARTS, ...assets],
      log: (line) => lines.push(line),
    });
    // Video Engagement and Partial/Full Video Views read fact_video_watches (aspects-dbt v8.1.0).
    expect(lines.filter((l) => l.includes('skipped'))).toEqual([
      'aspects:video_watches:video-views: skipped (aspects-dbt v8.0.0 has no fact_video_watches)',
      'aspects:video_watches:video-full-partial: skipped (aspects-dbt v8.0.0 has no fact_video_watches)',
    ]);
    const verdict = (chart: string) =>
      result.results
        .filter((r) => r.chart === chart)
        .map(({ course, bars, matched, differing }: ChartCourseResult) => ({ course, bars, matched, differing }));
    for (const [asset, ours] of [
      ['aspects:pageview_engagement:page-engagement', 'page-engagement'],
      ['aspects:problem_engagement:problem-engagement', 'problem-engagement'],
      ['aspects:video_engagement:video-engagement', 'video-engagement'],
      ['aspects:watched_video_segments:video-seconds', 'video-seconds'],
    ] as const) {
      expect(verdict(asset), asset).toHaveLength(6);
      expect(verdict(asset), asset).toEqual(verdict(ours));
      const differences = (chart: string) =>
        result.differences.filter((d) => d.chart === chart).map(({ chart: _, ...rest }) => rest);
      expect(differences(asset), asset).toEqual(differences(ours));
    }
  }, 300_000);
});
