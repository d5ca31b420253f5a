/**
 * Imports run one way. Every relative import in src/**\/*.ts is read with a small parser, folded
 * into a folder graph (a top-level file such as errors.ts is its own unit), and checked twice:
 * no folder-level cycle, and every import points down the stated order (README, "Architecture").
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * The stated direction, lowest floor first: a unit may import units on lower floors and itself,
 * never a unit on its own floor or above. The README's direction sentence reads this list.
 */
const FLOORS: readonly (readonly string[])[] = [
  ['errors.ts', 'secrets.ts', 'util'],
  ['config'],
  ['formats'],
  ['generate'],
  ['journeys'],
  ['storage'],
  ['clickhouse'],
  ['load'],
  ['backends'],
  ['run'],
  ['reports', 'cache'],
  ['testing'],
  ['action'],
  ['cli'],
  // The two entry points: the executable and the library.
  ['cli.ts', 'index.ts'],
];

/**
 * Imports known to break the order, each with the follow-up that removes it. Keep it empty: an
 * entry is a debt, named here so that it stays visible.
 */
const ALLOWED: readonly { readonly from: string; readonly to: string; readonly followUp: string }[] = [];

interface ImportEdge {
  /** Importing file, relative to src/. */
  readonly from: string;
  /** Imported file, relative to src/. */
  readonly to: string;
}

/**
 * Relative module specifiers in a TypeScript source: static imports and re-exports (type-only
 * included: a type import is a dependency too), side-effect imports, and literal dynamic imports.
 * Statements must start a line, so examples inside doc comments (` * import …`) do not count.
 */
function importSpecifiers(source: string): string[] {
  const patterns = [
    /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:\{[^}]*\}|\*(?:\s+as\s+\w+)?|\w+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+\w+))?)\s*from\s*['"]([^'"]+)['"]/gm,
    /^[ \t]*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  const found: string[] = [];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) found.push(match[1] as string);
  }
  return found.filter((s) => s.startsWith('./') || s.startsWith('../'));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `generate/world.ts` → `generate`; `errors.ts` → `errors.ts`. */
function unitOf(file: string): string {
  const [first, ...rest] = file.split('/');
  return rest.length > 0 ? (first as string) : file;
}

function readEdges(): { edges: ImportEdge[]; unresolved: string[] } {
  const edges: ImportEdge[] = [];
  const unresolved: string[] = [];
  for (const path of sourceFiles(SRC)) {
    const from = relative(SRC, path).split('\\').join('/');
    for (const specifier of importSpecifiers(readFileSync(path, 'utf8'))) {
      const target = normalize(join(dirname(path), specifier.replace(/\.js$/, '.ts')));
      if (!existsSync(target)) {
        unresolved.push(`${from}: ${specifier}`);
        continue;
      }
      edges.push({ from, to: relative(SRC, target).split('\\').join('/') });
    }
  }
  return { edges, unresolved };
}

/**
 * Folder-level cycles: per strongly connected component of the unit graph (Tarjan), its shortest
 * cycle through the first unit, one file import per step, and every unit the component joins.
 */
function findCycles(edges: readonly ImportEdge[]): string[] {
  const example = new Map<string, ImportEdge>();
  const next = new Map<string, Set<string>>();
  for (const edge of edges) {
    const a = unitOf(edge.from);
    const b = unitOf(edge.to);
    if (a === b) continue;
    if (!next.has(a)) next.set(a, new Set());
    next.get(a)?.add(b);
    if (!example.has(`${a}|${b}`)) example.set(`${a}|${b}`, edge);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of [...(next.get(v) ?? [])].sort()) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);

  // One concrete cycle per component: breadth-first from its first unit back to itself.
  return components.map((component) => {
    const members = new Set(component);
    const start = component[0] as string;
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift() as string;
      for (const w of [...(next.get(v) ?? [])].sort()) {
        if (!members.has(w) || previous.has(w)) continue;
        previous.set(w, v);
        if (w === start) break;
        queue.push(w);
      }
      if (previous.has(start)) break;
    }
    const path = [start];
    for (let v = previous.get(start) as string; v !== start; v = previous.get(v) as string) path.unshift(v);
    path.unshift(start);
    const steps = path.slice(1).map((to, i) => {
      const edge = example.get(`${path[i]}|${to}`) as ImportEdge;
      return `${edge.from} → ${edge.to}`;
    });
    const through = component.length > path.length - 1 ? ` (the cycle joins ${component.join(', ')})` : '';
    return `${path.join(' → ')}: ${steps.join('; ')}${through}`;
  });
}

/** Imports that point to the importer's own floor or above, as `from → to (a may not import b)`. */
function findUpwardImports(edges: readonly ImportEdge[], floors: readonly (readonly string[])[]): string[] {
  const floorOf = new Map<string, number>();
  floors.forEach((units, floor) => {
    for (const unit of units) floorOf.set(unit, floor);
  });
  const problems: string[] = [];
  for (const edge of edges) {
    const a = unitOf(edge.from);
    const b = unitOf(edge.to);
    if (a === b) continue;
    const fa = floorOf.get(a);
    const fb = floorOf.get(b);
    if (fa === undefined || fb === undefined) {
      problems.push(`${edge.from} → ${edge.to}: ${fa === undefined ? a : b} is on no floor; add it to FLOORS`);
    } else if (fb >= fa) {
      problems.push(
        `${edge.from} → ${edge.to}: ${a} may not import ${b} (${fb === fa ? 'same floor' : 'a higher floor'})`,
      );
    }
  }
  return problems;
}

describe('architecture', () => {
  const { edges, unresolved } = readEdges();
  const allowed = (edge: ImportEdge) => ALLOWED.some((a) => a.from === edge.from && a.to === edge.to);

  it('resolves every relative import in src/ to a file (the parser sees them all)', () => {
    expect(unresolved).toEqual([]);
    // A floor under which the parser would be broken: the tree has hundreds of imports.
    expect(edges.length).toBeGreaterThan(300);
  });

  it('has no folder-level import cycle', () => {
    expect(findCycles(edges.filter((e) => !allowed(e)))).toEqual([]);
  });

  it('imports only folders on lower floors', () => {
    expect(
      findUpwardImports(
        edges.filter((e) => !allowed(e)),
        FLOORS,
      ),
    ).toEqual([]);
  });

  it('lists only allow-list entries that still exist', () => {
    const stale = ALLOWED.filter((a) => !edges.some((e) => e.from === a.from && e.to === a.to));
    expect(stale).toEqual([]);
  });

  it('finds a cycle and names every step', () => {
    const cycles = findCycles([
      { from: 'formats/encode.ts', to: 'generate/dataset.ts' },
      { from: 'generate/dataset.ts', to: 'formats/tables.ts' },
      { from: 'config/load.ts', to: 'errors.ts' },
    ]);
    expect(cycles).toEqual([
      'formats → generate → formats: formats/encode.ts → generate/dataset.ts; generate/dataset.ts → formats/tables.ts',
    ]);
  });

  it('reports an import that points up the order', () => {
    expect(
      findUpwardImports(
        [
          { from: 'run/runner.ts', to: 'backends/index.ts' },
          { from: 'backends/csv.ts', to: 'run/format.ts' },
        ],
        [['backends'], ['run']],
      ),
    ).toEqual(['backends/csv.ts → run/format.ts: backends may not import run (a higher floor)']);
  });

  it('reads every import form and skips doc-comment examples and packages', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      'import {',
      '  c,',
      '  type D,',
      "} from './c.ts';",
      "import e, { f } from './e.ts';",
      "import * as g from './g.ts';",
      "export { h } from './h.ts';",
      "export type * from './i.ts';",
      "export * from './j.ts';",
      "import './k.ts';",
      "const l = await import('./l.ts');",
      "import { Command } from 'commander';",
      ' * import { m } from "./m.ts";',
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(
      ['./a.ts', '../b.ts', './c.ts', './e.ts', './g.ts', './h.ts', './i.ts', './j.ts', './k.ts', './l.ts'].sort(),
    );
  });
});
