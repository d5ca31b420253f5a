/** Grade statements: course grade calculated, first time passed, subsection grade calculated. */

import { pick } from '../rng.ts';
import { compileTemplate, raw, str } from '../template.ts';
import {
  ACTOR_ACCOUNT_FIRST,
  COURSE_ACTIVITY_TYPE,
  COURSE_PARENT,
  DEMO_COURSE_NAME,
  GRADE_TRANSFORMER_VERSION,
  SCORE,
  TRANSFORMER_SESSION_EXTENSIONS,
  TRANSFORMER_VERSION_EXT,
  verb,
  verbIdFirst,
  XAPI_VERSION,
} from './common.ts';
import { type EventContext, fill, type StatementBuilder } from './context.ts';
import { drawScore } from './score.ts';

const EARNED = verbIdFirst('http://id.tincanapi.com/verb/earned', 'earned');
const GRADE_CLASSIFICATION_EXT = 'http://www.tincanapi.co.uk/activitytypes/grade_classification';
/** A course grade above this scaled score is a `Pass`. */
export const PASS_THRESHOLD = 0.65;

// The grade-calculated templates come from an older ERB: different top-level key order, verb
// `id` first, and only the (5.6.0) transformer version in context.
const courseGradeCalculated = compileTemplate({
  actor: ACTOR_ACCOUNT_FIRST,
  id: str('id'),
  verb: EARNED,
  context: { contextActivities: COURSE_PARENT, extensions: { [TRANSFORMER_VERSION_EXT]: GRADE_TRANSFORMER_VERSION } },
  version: XAPI_VERSION,
  timestamp: str('timestamp'),
  object: {
    id: str('objectId'),
    definition: { name: { en: DEMO_COURSE_NAME }, type: COURSE_ACTIVITY_TYPE },
    objectType: 'Activity',
  },
  result: { score: SCORE, extensions: { [GRADE_CLASSIFICATION_EXT]: str('classification') } },
});

const subsectionGradeCalculated = compileTemplate({
  actor: ACTOR_ACCOUNT_FIRST,
  id: str('id'),
  verb: EARNED,
  context: { contextActivities: COURSE_PARENT, extensions: { [TRANSFORMER_VERSION_EXT]: GRADE_TRANSFORMER_VERSION } },
  version: XAPI_VERSION,
  timestamp: str('timestamp'),
  object: {
    id: str('objectId'),
    definition: { type: 'http://id.tincanapi.com/activitytype/resource' },
    objectType: 'Activity',
  },
  result: { score: SCORE, success: raw('success') },
});

const firstTimePassed = compileTemplate({
  id: str('id'),
  actor: ACTOR_ACCOUNT_FIRST,
  context: { extensions: TRANSFORMER_SESSION_EXTENSIONS },
  object: {
    definition: { extensions: {}, name: { en: DEMO_COURSE_NAME }, type: COURSE_ACTIVITY_TYPE },
    id: str('courseUrl'),
    objectType: 'Activity',
  },
  timestamp: str('timestamp'),
  verb: verb('http://adlnet.gov/expapi/verbs/passed', 'passed'),
  version: XAPI_VERSION,
});

function common(ctx: EventContext) {
  return {
    id: ctx.eventId,
    homePage: ctx.world.config.lmsUrl,
    actor: ctx.actorId,
    courseUrl: ctx.course.courseUrl,
    timestamp: ctx.timestamp,
  };
}

export const gradeBuilders = {
  CourseGradeCalculated: (rng, ctx) => {
    const score = drawScore(rng);
    return fill(courseGradeCalculated, {
      ...common(ctx),
      objectId: ctx.course.courseUrl,
      ...score.slots,
      classification: score.scaled > PASS_THRESHOLD ? 'Pass' : 'Fail',
    });
  },
  FirstTimePassed: (_rng, ctx) => fill(firstTimePassed, common(ctx)),
  // Weight 0 in the event mix (never drawn), kept so the template set is complete.
  SubsectionGradeCalculated: (rng, ctx) => {
    const objectId = pick(rng, ctx.course.sequentials);
    const score = drawScore(rng);
    return fill(subsectionGradeCalculated, {
      ...common(ctx),
      objectId,
      ...score.slots,
      success: rng.next() < 0.5 ? 'true' : 'false',
    });
  },
} satisfies Record<string, StatementBuilder>;
