/**
 * The job summary: Markdown for `$GITHUB_STEP_SUMMARY` (the Action) or a file (`--summary`).
 * Kept well under GitHub's 1 MiB per-step limit: at most {@link MAX_DIFF_ROWS_IN_SUMMARY} row
 * diffs per report.
 */

import type { PerfComparison, PerfMeasurement, PerfRun, PerfVerdict } from './perf.ts';
import type { SnapshotComparison } from './snapshot.ts';

export const MAX_DIFF_ROWS_IN_SUMMARY = 3;

/** Width of the longest bar in the timing chart, in characters. */
const BAR_WIDTH = 20;

export interface SummaryInput {
  readonly title?: string;
  readonly datasetHash: string | null;
  readonly counts: Readonly<Record<string, number>> | null;
  readonly target: string;
  readonly params: { readonly org: string; readonly courseKey: string; readonly now: string };
  /** Report names and row counts when no baseline was compared. */
  readonly reports: readonly { readonly name: string; readonly title: string; readonly rows: number }[];
  readonly comparison: SnapshotComparison | null;
  /** Why there is no comparison (e.g. "baseline recorded"). */
  readonly comparisonNote: string | null;
  readonly perf: PerfRun | null;
  readonly perfVerdict: PerfVerdict | null;
  /** Reports the configured aspects_version does not run, and why. @default [] */
  readonly skipped?: readonly { readonly name: string; readonly reason: string }[];
}

const STATUS_ICON: Record<string, string> = {
  match: '✅ match',
  changed: '❌ changed',
  missing: '❌ missing',
  new: '🆕 new',
  ok: '✅ ok',
  slower: '❌ slower',
  faster: '🚀 faster',
  recorded: '📝 recorded',
};

/** Escapes a value for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [`| ${header.map(cell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** A Unicode bar of `value / max` × {@link BAR_WIDTH}, in eighths. */
export function bar(value: number, max: number): string {
  if (!(max > 0) || !(value > 0)) return '';
  const eighths = Math.max(1, Math.round((value / max) * BAR_WIDTH * 8));
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  return '█'.repeat(full) + (rest > 0 ? (['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][rest] as string) : '');
}

function ms(n: number | null): string {
  return n === null ? '–' : `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** Renders the summary. */
export function renderSummary(input: SummaryInput): string {
  const out: string[] = [];
  const reportFail = (input.comparison?.regressions.length ?? 0) > 0;
  const perfFail = (input.perfVerdict?.regressions.length ?? 0) > 0;
  const verdict = reportFail || perfFail ? '❌ regression' : '✅ no regression';
  out.push(`## ${input.title ?? 'xapi-db-load report check'}: ${verdict}`, '');
  out.push(
    table(
      ['dataset hash', 'target', 'org', 'course', 'reference time (UTC)'],
      [
        [
          input.datasetHash ? `\`${input.datasetHash}\`` : '–',
          input.target,
          input.params.org,
          input.params.courseKey,
          input.params.now,
        ],
      ],
    ),
    '',
  );
  if (input.counts) {
    const entries = Object.entries(input.counts);
    out.push('### Loaded rows', '');
    out.push(
      table(
        entries.map(([k]) => k),
        [entries.map(([, v]) => v.toLocaleString('en-US'))],
      ),
      '',
    );
  }
  out.push('### Reports', '');
  if (input.comparisonNote) out.push(`> ${input.comparisonNote}`, '');
  for (const s of input.skipped ?? []) out.push(`> skipped \`${s.name}\`: ${s.reason}`, '');
  const comparison = input.comparison;
  if (comparison) {
    for (const note of comparison.notes) out.push(`> note: ${note}`, '');
    out.push(
      table(
        ['report', 'status', 'rows (baseline → current)', 'what changed'],
        comparison.reports.map((r) => [
          `\`${r.name}\` ${r.title}`,
          STATUS_ICON[r.status] ?? r.status,
          `${r.baselineRows ?? '–'} → ${r.currentRows ?? '–'}`,
          r.reason ?? '',
        ]),
      ),
      '',
    );
    for (const r of comparison.reports) {
      if (r.diffs.length === 0) continue;
      const lines: string[] = [];
      for (const d of r.diffs.slice(0, MAX_DIFF_ROWS_IN_SUMMARY)) {
        lines.push(`@ ${d.where}: ${d.changes.join('; ')}`);
        if (d.expected !== null) lines.push(`- ${d.expected}`);
        if (d.actual !== null) lines.push(`+ ${d.actual}`);
      }
      if (r.differingRows > MAX_DIFF_ROWS_IN_SUMMARY) {
        lines.push(`… ${r.differingRows - MAX_DIFF_ROWS_IN_SUMMARY} more row(s)`);
      }
      out.push(
        `<details><summary><code>${r.name}</code>: first differing rows</summary>`,
        '',
        '```diff',
        ...lines,
        '```',
        '',
        '</details>',
        '',
      );
    }
  } else {
    out.push(
      table(
        ['report', 'status', 'rows'],
        input.reports.map((r) => [`\`${r.name}\` ${r.title}`, STATUS_ICON.recorded as string, String(r.rows)]),
      ),
      '',
    );
  }
  const perf = input.perf;
  if (perf) {
    out.push('### Timing', '');
    const thresholds = input.perfVerdict?.thresholds;
    out.push(
      `${perf.repeats} interleaved run(s) per report after ${perf.warmup} warm-up round(s) on ${perf.engine} ` +
        `(ClickHouse ${perf.serverVersion})` +
        (thresholds
          ? `; a report regresses when its median is more than ${Math.round(thresholds.threshold * 100)} % ` +
            `and ${thresholds.minDiffMs} ms slower than the baseline.`
          : '.'),
      '',
    );
    if (perf.queryLogNote) out.push(`> ${perf.queryLogNote}`, '');
    if (input.perfVerdict?.note) out.push(`> note: ${input.perfVerdict.note}`, '');
    const byName = new Map((input.perfVerdict?.queries ?? []).map((q) => [q.name, q]));
    const max = Math.max(
      ...Object.values(perf.queries).map((q) => Math.max(q.medianMs, byName.get(q.name)?.baselineMedianMs ?? 0)),
    );
    const withLog = Object.values(perf.queries).some((q) => q.queryLog !== null);
    const header = ['report', 'median', 'p95', 'baseline median', 'ratio', 'median vs baseline', 'status'];
    if (withLog) header.push('rows read', 'bytes read', 'memory');
    const rows = Object.values(perf.queries).map((q) => {
      const v = byName.get(q.name);
      const base = v?.baselineMedianMs ?? null;
      const chart = `\`${bar(q.medianMs, max).padEnd(BAR_WIDTH)}\`${base !== null ? `<br>\`${bar(base, max)}\`` : ''}`;
      const row = [
        `\`${q.name}\``,
        ms(q.medianMs),
        ms(q.p95Ms),
        ms(base),
        v?.ratio === null || v?.ratio === undefined ? '–' : `${v.ratio.toFixed(2)}×`,
        chart,
        STATUS_ICON[v?.status ?? 'new'] ?? 'new',
      ];
      if (withLog) {
        row.push(
          q.queryLog ? q.queryLog.readRows.toLocaleString('en-US') : '–',
          q.queryLog ? bytes(q.queryLog.readBytes) : '–',
          q.queryLog ? bytes(q.queryLog.memoryBytes) : '–',
        );
      }
      return row;
    });
    out.push(table(header, rows), '');
    out.push('Bars: current median (top), baseline median (bottom), on one scale.', '');
    const alerts = (input.perfVerdict?.queries ?? []).filter((q) => q.alert !== null).map((q) => `- ${q.alert}`);
    if (alerts.length > 0) out.push('**Slower than the baseline:**', '', ...alerts, '');
    out.push(...planSection(perf, input.perfVerdict));
  }
  return `${out.join('\n')}\n`;
}

const FILTER_TAG: Record<string, string> = { course: 'course', 'median-course': 'median', org: 'org' };

/** Plan profiles: guards, regressions with the plan lines that changed, one chart per report. */
function planSection(perf: PerfRun, verdict: PerfVerdict | null): string[] {
  const measured = Object.values(perf.queries).filter((q) => q.plan !== undefined);
  if (measured.length === 0) return [];
  const out: string[] = ['### Plan guards', ''];
  const t = verdict?.thresholds;
  if (t) {
    out.push(
      `A report regresses when its selected granules grow more than ${Math.round(t.granulesGrowth * 100)} %, ` +
        `its rows read (estimated rows on the embedded engine) more than ${Math.round(t.rowsGrowth * 100)} %, ` +
        'or a table sorted by `org`/`course_key` that the baseline pruned by that key is read without it. ' +
        'These numbers come from the query plan and do not depend on the machine; the timings above are secondary.',
      '',
    );
  }
  if (verdict?.planNote) out.push(`> note: ${verdict.planNote}`, '');
  const absent = measured.find((q) => q.plan?.queryLogAbsent)?.plan?.queryLogAbsent;
  // The timing section already printed the engine's note; say it here only when it differs.
  if (absent && absent !== perf.queryLogNote)
    out.push(`> rows read, bytes read and peak memory are absent: ${absent}`, '');
  if (perf.filters && perf.filters.length > 0) {
    out.push(
      table(
        ['filter', 'course-scoped reports run for'],
        perf.filters.map((f) => [f.id, f.label]),
      ),
      '',
    );
  }
  for (const s of perf.skipped ?? []) out.push(`- \`${s.name}\` not run: ${s.reason}`);
  if ((perf.skipped ?? []).length > 0) out.push('');
  const byName = new Map((verdict?.queries ?? []).map((q) => [q.name, q]));
  const regressed = (verdict?.queries ?? []).filter((q) => q.findings.length > 0);
  if (regressed.length > 0) {
    out.push('**Plan regressions:**', '');
    out.push(
      table(
        ['entry', 'guard', 'table', 'key', 'baseline → current', 'what'],
        regressed.flatMap((q) =>
          q.findings.map((f) => [
            `\`${q.name}\``,
            `❌ ${f.guard}`,
            f.table ?? '–',
            f.key ?? '–',
            `${f.baseline?.toLocaleString('en-US') ?? '–'} → ${f.current?.toLocaleString('en-US') ?? '–'}`,
            f.message,
          ]),
        ),
      ),
      '',
    );
    for (const q of regressed) {
      if (q.planDiff.length === 0) continue;
      out.push(
        `<details open><summary><code>${q.name}</code>: plan lines that changed</summary>`,
        '',
        '```diff',
        ...q.planDiff,
        '```',
        '',
        '</details>',
        '',
      );
    }
  }
  out.push(
    table(
      ['entry', 'granules', 'parts', perf.engine === 'embedded' ? 'estimated rows' : 'rows read', 'pruned by', 'plan'],
      measured.map((q) => {
        const plan = q.plan as NonNullable<PerfMeasurement['plan']>;
        const pruned = [...new Set(plan.reads.flatMap((r) => r.prunedBy))];
        return [
          `\`${q.name}\``,
          plan.granules.toLocaleString('en-US'),
          plan.parts.toLocaleString('en-US'),
          (plan.queryLog?.readRows ?? plan.estimatedRows).toLocaleString('en-US'),
          pruned.join(', ') || '–',
          byName.get(q.name)?.findings.length ? '❌ regression' : (STATUS_ICON.ok as string),
        ];
      }),
    ),
    '',
  );
  const charts = chartsByReport(measured, byName);
  if (charts.length > 0) {
    const failing = new Set(regressed.map((q) => q.name));
    const shown = charts.filter((c) => c.entries.some((e) => failing.has(e)));
    const folded = charts.filter((c) => !c.entries.some((e) => failing.has(e)));
    out.push(
      'Charts: bars are this run in % of the baseline (granules, rows, median time per filter); the line is the baseline (100 %).',
      '',
    );
    for (const c of shown) out.push(c.mermaid, '');
    if (folded.length > 0) {
      out.push(`<details><summary>Charts of ${folded.length} report(s) without plan regression</summary>`, '');
      for (const c of folded) out.push(c.mermaid, '');
      out.push('</details>', '');
    }
  }
  return out;
}

/** One Mermaid `xychart-beta` per report that has a baseline: its entries' metrics in % of the baseline. */
function chartsByReport(
  measured: readonly PerfMeasurement[],
  verdicts: ReadonlyMap<string, PerfComparison>,
): { readonly entries: string[]; readonly mermaid: string }[] {
  const groups = new Map<string, PerfMeasurement[]>();
  for (const q of measured) {
    const report = q.report ?? q.name;
    groups.set(report, [...(groups.get(report) ?? []), q]);
  }
  const charts: { entries: string[]; mermaid: string }[] = [];
  for (const [report, entries] of groups) {
    const labels: string[] = [];
    const values: number[] = [];
    const pct = (pair: { baseline: number; current: number }): number =>
      pair.baseline === 0 ? (pair.current === 0 ? 100 : 999) : Math.round((pair.current / pair.baseline) * 100);
    for (const q of entries) {
      const v = verdicts.get(q.name);
      if (!v || v.baselineMedianMs === null) continue;
      const tag = q.filter ? ` ${FILTER_TAG[q.filter] ?? q.filter}` : '';
      if (v.granules) {
        labels.push(`granules${tag}`);
        values.push(pct(v.granules));
      }
      if (v.rows) {
        labels.push(`rows${tag}`);
        values.push(pct(v.rows));
      }
      labels.push(`time${tag}`);
      values.push(pct({ baseline: v.baselineMedianMs, current: v.currentMedianMs }));
    }
    if (labels.length === 0) continue;
    const top = Math.max(200, Math.ceil(Math.max(...values) / 50) * 50);
    charts.push({
      entries: entries.map((e) => e.name),
      mermaid: [
        '```mermaid',
        'xychart-beta',
        `    title "${report}"`,
        `    x-axis [${labels.map((l) => `"${l}"`).join(', ')}]`,
        `    y-axis "% of baseline" 0 --> ${top}`,
        `    bar [${values.join(', ')}]`,
        `    line [${values.map(() => 100).join(', ')}]`,
        '```',
      ].join('\n'),
    });
  }
  return charts;
}
