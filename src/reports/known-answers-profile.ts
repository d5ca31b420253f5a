/**
 * Plan profiles of the known-answers chart queries: the same evidence the report perf guards use
 * (granules and parts selected, estimated rows, which sort keys pruned), for every model-side
 * chart query of every journeys course. A chart that stops pruning by `course_key` shows here.
 */

import { aspectsModels } from '../clickhouse/aspects-version.ts';
import type { ClickHouse } from '../clickhouse/connect.ts';
import type { SchemaNames } from '../clickhouse/schema.ts';
import { KNOWN_ANSWER_CHARTS, type KnownAnswerChart, knownAnswerQueries } from './known-answers.ts';
import { profileQuery, type QueryProfile } from './profile.ts';

/** The plan profile of one chart's model-side query for one course. */
export interface ChartProfile {
  readonly course: string;
  readonly chart: string;
  readonly profile: QueryProfile;
}

/**
 * Profiles the model-side query of every chart (those whose models the schema's release has) for
 * each course. The expected side reads the project's own expected tables and is left out.
 *
 * @example
 * const profiles = await profileKnownAnswerCharts(ch, names, 'journeys', result.courses);
 */
export async function profileKnownAnswerCharts(
  ch: ClickHouse,
  names: SchemaNames,
  expectedDb: string,
  courses: readonly string[],
  charts: readonly KnownAnswerChart[] = KNOWN_ANSWER_CHARTS,
): Promise<ChartProfile[]> {
  const models = aspectsModels(names.aspectsVersion);
  const runnable = charts.filter((chart) => chart.requires.every((model) => models.has(model)));
  const chartNames = new Set(runnable.map((chart) => chart.name));
  const profiles: ChartProfile[] = [];
  for (const course of courses) {
    for (const query of knownAnswerQueries(names, expectedDb, course, runnable)) {
      // knownAnswerQueries also renders each chart's expected side, named "<chart> (expected)".
      if (!chartNames.has(query.name)) continue;
      profiles.push({ course, chart: query.name, profile: await profileQuery(ch, query.sql, query.params, { names }) });
    }
  }
  return profiles;
}

/** A Markdown table of the profiles (one row per chart and course), for the job summary. */
export function chartProfilesMarkdown(profiles: readonly ChartProfile[]): string {
  const lines = [
    '### Known-answers chart queries: plan profiles',
    '',
    '| chart | course | granules | parts | estimated rows | pruned by |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const { chart, course, profile } of profiles) {
    const pruned = [...new Set(profile.reads.flatMap((read) => read.prunedBy))].join(', ') || '—';
    lines.push(
      `| ${chart} | \`${course}\` | ${profile.granules} | ${profile.parts} | ${profile.estimatedRows} | ${pruned} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
