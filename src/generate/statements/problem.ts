/** Problem statements: browser check (attempted), server check (evaluated), hint and answer (asked). */

import { pick, type Rng, randRange } from '../rng.ts';
import { compileTemplate, raw, str } from '../template.ts';
import {
  ACTOR_ACCOUNT_FIRST,
  ACTOR_TYPE_FIRST,
  COURSE_PARENT,
  EVENT_VERSION_EXT,
  SCORE,
  TRANSFORMER_SESSION_EXTENSIONS,
  verb,
  XAPI_VERSION,
} from './common.ts';
import { type EventContext, fill, type StatementBuilder } from './context.ts';
import { drawScore } from './score.ts';

const INTERACTION_TYPE = 'http://adlnet.gov/expapi/activities/cmi.interaction';
const ATTEMPT_ID_EXT = 'http://id.tincanapi.com/extension/attempt-id';
const QUESTION_TEXT = 'Add the question text, or prompt, here. This text is required.';
const HINT_TYPE = 'https://w3id.org/xapi/acrossx/extensions/supplemental-info';
const SOLUTION_TYPE = 'http://id.tincanapi.com/activitytype/solution';
const ASKED = verb('http://adlnet.gov/expapi/verbs/asked', 'asked');

const browserCheck = compileTemplate({
  id: str('id'),
  actor: ACTOR_TYPE_FIRST,
  context: { contextActivities: COURSE_PARENT, extensions: { [EVENT_VERSION_EXT]: '1.0' } },
  timestamp: str('timestamp'),
  verb: verb('http://adlnet.gov/expapi/verbs/attempted', 'attempted'),
  version: XAPI_VERSION,
  object: { definition: { type: INTERACTION_TYPE }, id: str('objectId'), objectType: 'Activity' },
});

// Aspects' problem_events MV casts attempt-id and result.success: an evaluated statement must
// always carry both, or the insert into the raw table fails (aspects reference §2.4 point 4).
const serverCheck = compileTemplate({
  id: str('id'),
  actor: ACTOR_TYPE_FIRST,
  context: { contextActivities: COURSE_PARENT, extensions: { [EVENT_VERSION_EXT]: '1.0' } },
  timestamp: str('timestamp'),
  verb: verb('https://w3id.org/xapi/acrossx/verbs/evaluated', 'evaluated'),
  version: XAPI_VERSION,
  object: {
    definition: {
      extensions: { [ATTEMPT_ID_EXT]: raw('attemptId') },
      description: { 'en-US': QUESTION_TEXT },
      interactionType: 'other',
      type: INTERACTION_TYPE,
    },
    id: str('objectId'),
    objectType: 'Activity',
  },
  result: { response: str('response'), score: SCORE, success: raw('success') },
});

function askedStatement(objectType: string) {
  return compileTemplate({
    id: str('id'),
    actor: ACTOR_ACCOUNT_FIRST,
    context: { contextActivities: COURSE_PARENT, extensions: TRANSFORMER_SESSION_EXTENSIONS },
    timestamp: str('timestamp'),
    verb: ASKED,
    version: XAPI_VERSION,
    object: { definition: { type: objectType }, id: str('objectId'), objectType: 'Activity' },
  });
}

const showHint = askedStatement(HINT_TYPE);
const showAnswer = askedStatement(SOLUTION_TYPE);

function common(ctx: EventContext, objectId: string) {
  return {
    id: ctx.eventId,
    homePage: ctx.world.config.lmsUrl,
    actor: ctx.actorId,
    courseUrl: ctx.course.courseUrl,
    objectId,
    timestamp: ctx.timestamp,
  };
}

function randomProblem(rng: Rng, ctx: EventContext): string {
  return pick(rng, ctx.course.problems);
}

export const problemBuilders = {
  BrowserProblemCheck: (rng, ctx) => fill(browserCheck, common(ctx, randomProblem(rng, ctx))),
  ServerProblemCheck: (rng, ctx) => {
    const objectId = randomProblem(rng, ctx);
    const attemptId = String(randRange(rng, 1, 10));
    // Response/success are drawn independently of the score, as in the original.
    const correct = rng.next() < 0.5;
    return fill(serverCheck, {
      ...common(ctx, objectId),
      attemptId,
      response: correct ? 'A correct answer' : 'An incorrect answer',
      success: correct ? 'true' : 'false',
      ...drawScore(rng).slots,
    });
  },
  ShowHint: (rng, ctx) => fill(showHint, common(ctx, `${randomProblem(rng, ctx)}/hint/1`)),
  ShowAnswer: (rng, ctx) => fill(showAnswer, common(ctx, `${randomProblem(rng, ctx)}/answer`)),
} satisfies Record<string, StatementBuilder>;
