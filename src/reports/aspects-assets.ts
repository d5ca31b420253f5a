/**
 * The real chart queries, from a tutor-contrib-aspects checkout or unzipped wheel
 * (`--aspects-assets <dir>`): for each chart the known-answers check knows, its saved query
 * (metrics, x-axis column, filters, WHERE) over its dataset's SQL, rendered with the minimal
 * templating those files need — Tutor's `{% include %}` and `{{ DBT_PROFILE_TARGET_DATABASE }}`-style
 * settings, and Superset's `{% if filter_values(…) != [] %}` blocks, which are empty outside a
 * dashboard (the check filters by course itself). Anything else in a template is an error.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, XapiDbLoadError } from '../errors.ts';
import { KNOWN_ANSWER_CHARTS, type KnownAnswerChart } from './known-answers.ts';

/** An Aspects chart the check compares, and which of our charts gives its expected bars. */
interface AssetChartMapping {
  /** Chart UUID in the assets. */
  readonly uuid: string;
  /** Our chart whose expected side applies. */
  readonly ours: string;
  /** Aspects metric (name, or label of an ad-hoc metric) → our metric. Unmapped metrics are not compared. */
  readonly metrics: Readonly<Record<string, string>>;
  /** Sum every bar into one (the per-second chart is compared as a total). */
  readonly collapse?: string;
}

/** The six charts upstream's `check-known-answers` checks (reference §7). */
const ASSET_CHARTS: readonly AssetChartMapping[] = [
  {
    uuid: 'bf2d6219-d633-48c1-a9b5-742eac6a4c0a',
    ours: 'page-engagement',
    metrics: { at_leat_one_page_viewed: 'at_least_one', all_pages_viewed: 'all' },
  },
  {
    uuid: '8cdcd4aa-1fa2-41dc-b38d-f1112134592e',
    ours: 'problem-engagement',
    metrics: { attempted_at_least_one_problem: 'at_least_one', attempted_all_problems: 'all' },
  },
  {
    uuid: 'c1f77432-e55f-4473-b7d0-7a1c3976e6a8',
    ours: 'video-engagement',
    metrics: { at_least_one_viewed: 'at_least_one', all_videos_viewed: 'all' },
  },
  {
    uuid: 'ace4c769-00f4-4708-887b-14fd9e5f384e',
    ours: 'video-views',
    metrics: { 'Total Views': 'total_views', 'Repeat Views': 'repeat_views' },
  },
  {
    uuid: 'bfffb9fe-07bd-4b2f-b437-522d45f6cd2c',
    ours: 'video-full-partial',
    metrics: { full_views: 'full_views', partial_views: 'partial_views' },
  },
  {
    uuid: '2985a9db-c338-4008-af52-2930b81ee2e5',
    ours: 'video-seconds',
    metrics: { total_views: 'total_views' },
    collapse: 'seconds watched',
  },
];

/** Tutor settings the dataset SQL uses → our placeholders. */
const TUTOR_SETTINGS: Readonly<Record<string, string>> = {
  DBT_PROFILE_TARGET_DATABASE: '{{reporting_db}}',
  ASPECTS_EVENT_SINK_DATABASE: '{{event_sink_db}}',
  ASPECTS_XAPI_DATABASE: '{{xapi_db}}',
  ASPECTS_RAW_XAPI_TABLE: '{{raw_table}}',
};

interface SavedQuery {
  readonly metrics?: ReadonlyArray<
    | string
    | {
        label?: string;
        expressionType?: string;
        aggregate?: string;
        column?: { column_name?: string };
        sqlExpression?: string | null;
      }
  >;
  readonly columns?: ReadonlyArray<string | { sqlExpression?: string; label?: string }>;
  readonly filters?: ReadonlyArray<{ col: string; op: string; val: unknown }>;
  readonly extras?: { where?: string };
}

interface ChartFile {
  readonly uuid: string;
  readonly slice_name?: string;
  readonly dataset_uuid: string;
  readonly query_context: string | { queries?: SavedQuery[] };
}

interface DatasetFile {
  readonly uuid: string;
  readonly table_name: string;
  readonly sql: string;
  readonly metrics?: ReadonlyArray<{ metric_name: string; expression: string }>;
}

/** Where the Superset assets and the query templates sit in a checkout or an unzipped wheel. */
async function findTemplates(dir: string): Promise<{ templates: string; assets: string }> {
  const templates = join(dir, 'tutoraspects', 'templates');
  const assets = join(templates, 'aspects', 'build', 'aspects-superset', 'openedx-assets', 'assets');
  try {
    if ((await stat(join(assets, 'charts'))).isDirectory()) return { templates, assets };
  } catch {
    // reported below
  }
  throw new ConfigError([
    {
      key: 'aspects_assets',
      message: `--aspects-assets: got ${JSON.stringify(dir)}; expected a tutor-contrib-aspects checkout or unzipped wheel (no ${assets}/charts)`,
    },
  ]);
}

/**
 * Renders a dataset template: includes, Tutor settings, raw markers, and Superset's
 * `filter_values` blocks (no dashboard filter is set). Throws on any other template syntax.
 */
export async function renderAssetTemplate(text: string, templatesDir: string, depth = 0): Promise<string> {
  if (depth > 8) throw new XapiDbLoadError('aspects assets: includes nested more than 8 deep');
  let out = text.replace(/\{%-?\s*(?:filter\s+indent\([^)]*\)|endfilter)\s*-?%\}/g, '');
  const includes = [...out.matchAll(/\{%-?\s*include\s+'([^']+)'\s*-?%\}/g)];
  for (const match of includes) {
    const included = await readFile(join(templatesDir, match[1] as string), 'utf8').catch((error: unknown) => {
      throw new XapiDbLoadError(`aspects assets: cannot include ${match[1]}`, { cause: error });
    });
    out = out.replace(match[0], await renderAssetTemplate(included, templatesDir, depth + 1));
  }
  out = out.replace(/\{\{\s*([A-Z][A-Z0-9_]*)\s*\}\}/g, (whole, name: string) => {
    const value = TUTOR_SETTINGS[name];
    if (value === undefined) throw new XapiDbLoadError(`aspects assets: unknown Tutor setting ${whole}`);
    return value;
  });
  out = out.replace(/\{%-?\s*(?:raw|endraw)\s*-?%\}/g, '');
  out = out.replace(/\{%-?\s*if\s+filter_values\([^)]*\)\s*!=\s*\[\]\s*-?%\}[\s\S]*?\{%-?\s*endif\s*-?%\}/g, '');
  const left = /\{%[\s\S]*?%\}|\{\{\s*[^{}]*?\s*\}\}/.exec(
    out.replace(/\{\{(reporting_db|event_sink_db|xapi_db|raw_table)\}\}/g, ''),
  );
  if (left) throw new XapiDbLoadError(`aspects assets: unsupported template construct ${left[0]}`);
  return out;
}

function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '')}\``;
}

function literal(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** One saved-query filter as SQL; `TEMPORAL_RANGE` "No filter" adds nothing. */
function filterSql(filter: { col: string; op: string; val: unknown }): string | null {
  const col = quoteIdentifier(filter.col);
  switch (filter.op) {
    case 'TEMPORAL_RANGE':
      if (filter.val === 'No filter') return null;
      break;
    case '==':
      return `${col} = ${literal(filter.val)}`;
    case '!=':
      return `${col} != ${literal(filter.val)}`;
    case 'IN':
    case 'NOT IN':
      if (Array.isArray(filter.val)) return `${col} ${filter.op} (${filter.val.map(literal).join(', ')})`;
      break;
  }
  throw new XapiDbLoadError(`aspects assets: unsupported chart filter ${JSON.stringify(filter)}`);
}

/**
 * The six Aspects charts of upstream's check, as known-answers charts whose model side is the
 * chart's saved query over its dataset's SQL, rendered from `dir`.
 *
 * @example
 * const charts = await loadAspectsAssetCharts('tutor-contrib-aspects');
 * const result = await checkKnownAnswers(ch, names, { charts: [...KNOWN_ANSWER_CHARTS, ...charts] });
 */
export async function loadAspectsAssetCharts(dir: string): Promise<KnownAnswerChart[]> {
  const { templates, assets } = await findTemplates(dir);
  const readYaml = async <T>(sub: string): Promise<T[]> => {
    const files = (await readdir(join(assets, sub))).filter((f) => f.endsWith('.yaml'));
    return Promise.all(files.map(async (f) => parse(await readFile(join(assets, sub, f), 'utf8')) as T));
  };
  const charts = new Map((await readYaml<ChartFile>('charts')).map((c) => [c.uuid, c]));
  const datasets = new Map((await readYaml<DatasetFile>('datasets')).map((d) => [d.uuid, d]));
  const out: KnownAnswerChart[] = [];
  for (const mapping of ASSET_CHARTS) {
    const chart = charts.get(mapping.uuid);
    const ours = KNOWN_ANSWER_CHARTS.find((c) => c.name === mapping.ours);
    if (!chart || !ours) throw new XapiDbLoadError(`aspects assets: ${dir} has no chart ${mapping.uuid}`);
    const dataset = datasets.get(chart.dataset_uuid);
    if (!dataset) throw new XapiDbLoadError(`aspects assets: chart ${chart.slice_name} reads a missing dataset`);
    const context = typeof chart.query_context === 'string' ? JSON.parse(chart.query_context) : chart.query_context;
    const query = (context as { queries?: SavedQuery[] }).queries?.[0];
    if (!query) throw new XapiDbLoadError(`aspects assets: chart ${chart.slice_name} has no saved query`);
    const datasetMetrics = new Map((dataset.metrics ?? []).map((m) => [m.metric_name, m.expression]));
    const metricSql: Array<[string, string]> = [];
    for (const metric of query.metrics ?? []) {
      const id = typeof metric === 'string' ? metric : (metric.label ?? '');
      const oursMetric = mapping.metrics[id];
      if (oursMetric === undefined) continue;
      let expression: string | undefined;
      if (typeof metric === 'string') expression = datasetMetrics.get(metric);
      else if (metric.expressionType === 'SQL') expression = metric.sqlExpression ?? undefined;
      else if (metric.aggregate && metric.column?.column_name)
        expression = `${metric.aggregate}(${quoteIdentifier(metric.column.column_name)})`;
      if (!expression) throw new XapiDbLoadError(`aspects assets: chart ${chart.slice_name}: cannot read metric ${id}`);
      metricSql.push([oursMetric, expression]);
    }
    const column = query.columns?.[0];
    const keyExpression = typeof column === 'string' ? quoteIdentifier(column) : (column?.sqlExpression ?? "''");
    const where = [
      'course_key = {course_key:String}',
      ...(query.filters ?? []).map(filterSql).filter((f): f is string => f !== null),
      ...(query.extras?.where ? [`(${query.extras.where})`] : []),
    ];
    const datasetSql = await renderAssetTemplate(dataset.sql, templates);
    const inner =
      `SELECT ${keyExpression} AS key, ${metricSql.map(([name, sql]) => `${sql} AS ${name}`).join(', ')}\n` +
      `FROM (\n${datasetSql}\n) AS dataset\nWHERE ${where.join(' AND ')}\nGROUP BY key`;
    const sql = mapping.collapse
      ? `SELECT '${mapping.collapse}' AS key, ${metricSql.map(([name]) => `sum(${name}) AS ${name}`).join(', ')} FROM (${inner})`
      : inner;
    const metrics = metricSql.map(([name]) => name);
    const models = [...datasetSql.matchAll(/\{\{(?:reporting_db|xapi_db)\}\}\.([A-Za-z_][A-Za-z0-9_]*)/g)].map(
      (m) => m[1] as string,
    );
    out.push({
      name: `aspects:${dataset.table_name}:${mapping.ours}`,
      title: `${chart.slice_name ?? mapping.uuid} (tutor-contrib-aspects)`,
      metrics,
      sql,
      expectedSql: `SELECT key, ${metrics.join(', ')} FROM (${ours.expectedSql})`,
      requires: [...new Set(models)],
    });
  }
  return out;
}
