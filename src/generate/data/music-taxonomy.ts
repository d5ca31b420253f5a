/**
 * The one taxonomy the original tool ships ("Music", from the edx-platform tagging test data):
 * 29 tags, parents listed before children. Tag ids count from 1 in this order.
 */

export const TAXONOMY_ID = 1;
export const TAXONOMY_NAME = 'Music';

/** `[external_id, value, parent external_id | null]`, in file order. */
export const MUSIC_TAGS = [
  ['WINDS', 'Wind instruments', null],
  ['PERCUSS', 'Percussion instruments', null],
  ['ELECTRIC', 'Electronic instruments', null],
  ['STRINGS', 'String instruments', null],
  ['BELLS', 'Idiophone', 'PERCUSS'],
  ['DRUMS', 'Membranophone', 'PERCUSS'],
  ['CAJÓN', 'Cajón', 'DRUMS'],
  ['PYLE', 'Pyle Stringed Jam Cajón', 'CAJÓN'],
  ['THERAMIN', 'Theramin', 'ELECTRIC'],
  ['CHORD', 'Chordophone', 'PERCUSS'],
  ['BRASS', 'Brass', 'WINDS'],
  ['WOODS', 'Woodwinds', 'WINDS'],
  ['FLUTE', 'Flute', 'WOODS'],
  ['PLUCK', 'Plucked strings', 'STRINGS'],
  ['MANDOLIN', 'Mandolin', 'PLUCK'],
  ['HARP', 'Harp', 'PLUCK'],
  ['BANJO', 'Banjo', 'PLUCK'],
  ['BOW', 'Bowed strings', 'STRINGS'],
  ['VIOLIN', 'Violin', 'BOW'],
  ['CELLO', 'Cello', 'BOW'],
  ['CLARINET', 'Clarinet', 'WOODS'],
  ['OBOE', 'Oboe', 'WOODS'],
  ['TRUMPET', 'Trumpet', 'BRASS'],
  ['TUBA', 'Tuba', 'BRASS'],
  ['SYNTH', 'Synthesizer', 'ELECTRIC'],
  ['CELESTA', 'Celesta', 'BELLS'],
  ['HI-HAT', 'Hi-hat', 'BELLS'],
  ['TABLA', 'Tabla', 'DRUMS'],
  ['PIANO', 'Piano', 'CHORD'],
] as const satisfies readonly (readonly [string, string, string | null])[];

export interface Tag {
  /** 1-based id in file order. */
  readonly id: number;
  readonly externalId: string;
  readonly value: string;
  /** Parent tag id, or `null` for a root. */
  readonly parentId: number | null;
  /** JSON list of ancestor values, root first, excluding the tag itself; ASCII-escaped like Python. */
  readonly lineage: string;
}

function pythonJsonList(values: readonly string[]): string {
  const escaped = values.map((v) =>
    JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
  return `[${escaped.join(', ')}]`;
}

function buildTags(): readonly Tag[] {
  const byExternal = new Map<string, Tag>();
  const ancestorsOf = new Map<string, string[]>();
  const tags: Tag[] = [];
  MUSIC_TAGS.forEach(([externalId, value, parent], index) => {
    const parentTag = parent === null ? undefined : byExternal.get(parent);
    if (parent !== null && !parentTag) throw new Error(`music taxonomy: parent ${parent} listed after ${externalId}`);
    const ancestors = parentTag ? [...(ancestorsOf.get(parentTag.externalId) ?? []), parentTag.value] : [];
    const tag: Tag = {
      id: index + 1,
      externalId,
      value,
      parentId: parentTag?.id ?? null,
      lineage: pythonJsonList(ancestors),
    };
    byExternal.set(externalId, tag);
    ancestorsOf.set(externalId, ancestors);
    tags.push(tag);
  });
  return Object.freeze(tags);
}

/** The 29 tags with ids, parent ids and lineage text. */
export const TAGS: readonly Tag[] = buildTags();
