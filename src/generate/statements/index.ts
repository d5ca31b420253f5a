/** All statement builders, one per event type. */

import type { EventType } from '../event-types.ts';
import type { StatementBuilder } from './context.ts';
import { enrollmentBuilders } from './enrollment.ts';
import { forumBuilders } from './forum.ts';
import { gradeBuilders } from './grade.ts';
import { navigationBuilders } from './navigation.ts';
import { problemBuilders } from './problem.ts';
import { videoBuilders } from './video.ts';

export type { EventContext, StatementBuilder, StatementParts } from './context.ts';
export { fill } from './context.ts';
export { buildInitialEnrollment, buildRegistered, ENROLLMENT_MODES } from './enrollment.ts';
export { PASS_THRESHOLD } from './grade.ts';

/**
 * The builder of every event type. Typed as a full `Record<EventType, …>` so that a type added
 * to `EVENT_TYPES` without a builder is a compile error.
 */
export const STATEMENT_BUILDERS: Readonly<Record<EventType, StatementBuilder>> = Object.freeze({
  ...videoBuilders,
  ...problemBuilders,
  ...navigationBuilders,
  ...enrollmentBuilders,
  ...forumBuilders,
  ...gradeBuilders,
});
