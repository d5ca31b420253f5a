import type { Rng } from '../rng.ts';
import type { CompiledTemplate } from '../template.ts';
import type { Course, World } from '../world.ts';

/** What every statement builder receives: the draws common to all types, already made. */
export interface EventContext {
  readonly world: World;
  readonly course: Course;
  /** The learner's external UUID (`actor.account.name`). */
  readonly actorId: string;
  /** Statement `id` (= the `event_id` column). */
  readonly eventId: string;
  /** Statement `timestamp`, `2023-06-15T19:51:58+00:00`. */
  readonly timestamp: string;
}

/** A statement ready to render: its compiled template and the slot values in slot order. */
export interface StatementParts {
  readonly template: CompiledTemplate;
  readonly values: readonly string[];
}

/** Builds one statement of one type. Stateless: everything random comes from `rng`. */
export type StatementBuilder = (rng: Rng, ctx: EventContext) => StatementParts;

/**
 * Orders named values by the template's slots. Throws when a slot has no value, which a
 * fidelity test would otherwise catch only as a malformed statement.
 */
export function fill(template: CompiledTemplate, values: { readonly [slot: string]: string }): StatementParts {
  const names = template.slotNames;
  const ordered = new Array<string>(names.length);
  for (let i = 0; i < names.length; i++) {
    const value = values[names[i] as string];
    if (value === undefined) throw new Error(`statement template: no value for slot "${names[i]}"`);
    ordered[i] = value;
  }
  return { template, values: ordered };
}
