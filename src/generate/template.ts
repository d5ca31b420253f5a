/**
 * Statement templates: a statement is written once as a readable object literal (key order =
 * output order), with *slots* where per-statement values go. `compileTemplate` turns it into
 * constant text segments, once, in two encodings:
 *
 *  - `json`: the statement text exactly as the original tool serialized it (Python `json.dumps`
 *    spacing: `", "` and `": "`, integral floats keep `.0`);
 *  - `csv`:  the same text with every `"` doubled, ready to sit inside a quoted CSV field.
 *
 * Rendering is then plain string concatenation of segments and slot values, which is what makes
 * generation fast: no object graph per statement, no `JSON.stringify`, no `replaceAll('"', '""')`.
 * Slot values must never contain `"` or `\` (ids, URLs validated by the config, numbers), so
 * they are the same in both encodings.
 */

const SLOT_MARK = Symbol('slot');
const FLOAT_MARK = Symbol('float');

/** A per-statement value. `quoted` slots render as JSON strings, raw slots verbatim (numbers, booleans). */
export interface Slot {
  readonly [SLOT_MARK]: true;
  readonly name: string;
  readonly quoted: boolean;
}

/** A constant float that Python prints with a trailing `.0` when integral (e.g. `195.0`). */
export interface PyFloat {
  readonly [FLOAT_MARK]: true;
  readonly value: number;
}

/** A string slot: rendered as `"value"`. */
export function str(name: string): Slot {
  return { [SLOT_MARK]: true, name, quoted: true };
}

/** A raw slot: the value is already JSON text (`12`, `0.5`, `true`, `"x"` …). */
export function raw(name: string): Slot {
  return { [SLOT_MARK]: true, name, quoted: false };
}

/** A constant float printed the Python way (`195.0`). */
export function pyFloat(value: number): PyFloat {
  return { [FLOAT_MARK]: true, value };
}

/** A template value tree: what a statement looks like, with slots. */
export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | Slot
  | PyFloat
  | readonly TemplateValue[]
  | { readonly [key: string]: TemplateValue };

function isSlot(value: unknown): value is Slot {
  return typeof value === 'object' && value !== null && SLOT_MARK in value;
}

function isPyFloat(value: unknown): value is PyFloat {
  return typeof value === 'object' && value !== null && FLOAT_MARK in value;
}

/** `0.0` … `1023.0`, made once: video positions are whole seconds, formatted per statement. */
const SMALL_WHOLE_FLOATS: readonly string[] = Array.from({ length: 1024 }, (_, i) => `${i}.0`);

/** Formats a number the way Python's `repr(float)` does for the values we produce. */
export function formatPyFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`formatPyFloat: ${value} is not finite`);
  if (!Number.isInteger(value)) return String(value);
  return value >= 0 && value < SMALL_WHOLE_FLOATS.length ? (SMALL_WHOLE_FLOATS[value] as string) : `${value}.0`;
}

/** A compiled statement template. */
export interface CompiledTemplate {
  /** Unique per process, in compile order: encoders index their caches by it. */
  readonly id: number;
  /** Slot names in render order; `values[i]` fills `slotNames[i]`. */
  readonly slotNames: readonly string[];
  readonly quoted: readonly boolean[];
  /** `jsonSegments.length === slotNames.length + 1`. */
  readonly jsonSegments: readonly string[];
  readonly csvSegments: readonly string[];
}

let compiledTemplates = 0;

/** Compiles a template value tree once; render it many times with `render`. */
export function compileTemplate(template: TemplateValue): CompiledTemplate {
  const segments: string[] = [];
  const slotNames: string[] = [];
  const quoted: boolean[] = [];
  let current = '';

  const emit = (value: TemplateValue): void => {
    if (isSlot(value)) {
      if (value.quoted) current += '"';
      segments.push(current);
      slotNames.push(value.name);
      quoted.push(value.quoted);
      current = value.quoted ? '"' : '';
      return;
    }
    if (isPyFloat(value)) {
      current += formatPyFloat(value.value);
      return;
    }
    if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') {
      // ASCII-only escaping like Python's ensure_ascii=True.
      current += JSON.stringify(value).replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
      return;
    }
    if (Array.isArray(value)) {
      current += '[';
      value.forEach((item, i) => {
        if (i > 0) current += ', ';
        emit(item);
      });
      current += ']';
      return;
    }
    const entries = Object.entries(value as { readonly [key: string]: TemplateValue });
    current += '{';
    entries.forEach(([key, item], i) => {
      if (i > 0) current += ', ';
      current += `${JSON.stringify(key)}: `;
      emit(item);
    });
    current += '}';
  };

  emit(template);
  segments.push(current);
  const names = new Set<string>();
  for (const name of slotNames) {
    if (names.has(name)) throw new Error(`compileTemplate: slot "${name}" appears twice`);
    names.add(name);
  }
  return {
    id: compiledTemplates++,
    slotNames,
    quoted,
    jsonSegments: segments,
    csvSegments: segments.map((s) => s.replaceAll('"', '""')),
  };
}

/** Renders `values` (in `slotNames` order) with the chosen encoding's segments. */
export function render(template: CompiledTemplate, values: readonly string[], encoding: 'json' | 'csv'): string {
  const segments = encoding === 'json' ? template.jsonSegments : template.csvSegments;
  let out = segments[0] as string;
  for (let i = 0; i < values.length; i++) {
    out += (values[i] as string) + (segments[i + 1] as string);
  }
  return out;
}
