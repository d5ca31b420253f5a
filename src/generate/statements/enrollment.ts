/** Enrollment statements: registered and unregistered (no course parent in context). */

import { pick } from '../rng.ts';
import { compileTemplate, str } from '../template.ts';
import {
  ACROSSX_TYPE_EXT,
  ACTOR_TYPE_FIRST,
  COURSE_ACTIVITY_TYPE,
  DEMO_COURSE_NAME,
  TRANSFORMER_SESSION_EXTENSIONS,
  verb,
  XAPI_VERSION,
} from './common.ts';
import { fill, type StatementBuilder } from './context.ts';

/** Enrollment modes, drawn uniformly (the original's `random.choice`). */
export const ENROLLMENT_MODES = ['audit', 'honor', 'verified'] as const;

function enrollmentStatement(verbId: string, verbDisplay: string) {
  return compileTemplate({
    id: str('id'),
    actor: ACTOR_TYPE_FIRST,
    context: { extensions: TRANSFORMER_SESSION_EXTENSIONS },
    object: {
      definition: {
        extensions: { [ACROSSX_TYPE_EXT]: str('mode') },
        name: { en: DEMO_COURSE_NAME },
        type: COURSE_ACTIVITY_TYPE,
      },
      id: str('courseUrl'),
      objectType: 'Activity',
    },
    timestamp: str('timestamp'),
    verb: verb(verbId, verbDisplay),
    version: XAPI_VERSION,
  });
}

const registered = enrollmentStatement('http://adlnet.gov/expapi/verbs/registered', 'registered');
const unregistered = enrollmentStatement('http://id.tincanapi.com/verb/unregistered', 'unregistered');

/**
 * A `registered` statement with a random mode. Also the statement of each initial enrollment
 * (one per course and enrolled-actor entry), which uses the same template as a random one.
 */
export const buildRegistered: StatementBuilder = (rng, ctx) =>
  fill(registered, {
    id: ctx.eventId,
    homePage: ctx.world.config.lmsUrl,
    actor: ctx.actorId,
    mode: pick(rng, ENROLLMENT_MODES),
    courseUrl: ctx.course.courseUrl,
    timestamp: ctx.timestamp,
  });

/** The statement of an initial enrollment: the same template and draws as a random `Registered`. */
export const buildInitialEnrollment: StatementBuilder = buildRegistered;

export const enrollmentBuilders = {
  Registered: buildRegistered,
  Unregistered: (rng, ctx) =>
    fill(unregistered, {
      id: ctx.eventId,
      homePage: ctx.world.config.lmsUrl,
      actor: ctx.actorId,
      mode: pick(rng, ENROLLMENT_MODES),
      courseUrl: ctx.course.courseUrl,
      timestamp: ctx.timestamp,
    }),
} satisfies Record<string, StatementBuilder>;
