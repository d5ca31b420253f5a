/** Navigation statements: next/previous unit, tab selected, link clicked (all `navigated`). */

import { pick, type Rng, randRange } from '../rng.ts';
import { compileTemplate, raw, str, type TemplateValue } from '../template.ts';
import {
  ACTOR_ACCOUNT_FIRST,
  COURSE_PARENT,
  SESSION_ID,
  SESSION_ID_EXT,
  TRANSFORMER_SESSION_EXTENSIONS,
  TRANSFORMER_VERSION,
  TRANSFORMER_VERSION_EXT,
  verb,
  XAPI_VERSION,
} from './common.ts';
import { type EventContext, fill, type StatementBuilder } from './context.ts';

const NAVIGATED = verb('https://w3id.org/xapi/dod-isd/verbs/navigated', 'navigated');
const RESOURCE_TYPE = 'http://id.tincanapi.com/activitytype/resource';
const LINK_TYPE = 'http://adlnet.gov/expapi/activities/link';
const ENDING_POINT_EXT = 'http://id.tincanapi.com/extension/ending-point';
const STARTING_POSITION_EXT = 'http://id.tincanapi.com/extension/starting-position';
const TOTAL_ITEMS_EXT = 'https://w3id.org/xapi/acrossx/extensions/total-items';
/** The original's link_clicked target: a fixed demo-course jump_to URL under `lms_url`. */
const LINK_PATH =
  '/courses/course-v1:edX+DemoX+Demo_Course/jump_to/block-v1:edX+DemoX+Demo_Course+type@sequential+block@6ab9c442501d472c8ed200e367b4edfa';

function navigatedStatement(endingPoint: TemplateValue) {
  return compileTemplate({
    id: str('id'),
    actor: ACTOR_ACCOUNT_FIRST,
    context: {
      contextActivities: COURSE_PARENT,
      extensions: {
        [TRANSFORMER_VERSION_EXT]: TRANSFORMER_VERSION,
        [SESSION_ID_EXT]: SESSION_ID,
        [ENDING_POINT_EXT]: endingPoint,
        [STARTING_POSITION_EXT]: str('startingPosition'),
      },
    },
    timestamp: str('timestamp'),
    verb: NAVIGATED,
    version: XAPI_VERSION,
    object: {
      definition: { extensions: { [TOTAL_ITEMS_EXT]: raw('totalItems') }, type: RESOURCE_TYPE },
      id: str('objectId'),
      objectType: 'Activity',
    },
  });
}

const nextNavigation = navigatedStatement('next unit');
const previousNavigation = navigatedStatement('previous unit');
const tabSelected = navigatedStatement(str('endingPoint'));

const linkClicked = compileTemplate({
  id: str('id'),
  actor: ACTOR_ACCOUNT_FIRST,
  context: { contextActivities: COURSE_PARENT, extensions: TRANSFORMER_SESSION_EXTENSIONS },
  timestamp: str('timestamp'),
  verb: NAVIGATED,
  version: XAPI_VERSION,
  object: { definition: { type: LINK_TYPE }, id: str('objectId'), objectType: 'Activity' },
});

/** A unit position: `str(randrange(1, items_in_course))` — a string in the statement. */
function position(rng: Rng, ctx: EventContext): string {
  return String(randRange(rng, 1, ctx.course.itemsInCourse));
}

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

function unitNavigation(rng: Rng, ctx: EventContext) {
  return {
    ...common(ctx, pick(rng, ctx.course.sequentials)),
    totalItems: String(ctx.course.itemsInCourse),
    startingPosition: position(rng, ctx),
  };
}

export const navigationBuilders = {
  NextNavigation: (rng, ctx) => fill(nextNavigation, unitNavigation(rng, ctx)),
  PreviousNavigation: (rng, ctx) => fill(previousNavigation, unitNavigation(rng, ctx)),
  TabSelectedNavigation: (rng, ctx) =>
    fill(tabSelected, { ...unitNavigation(rng, ctx), endingPoint: position(rng, ctx) }),
  LinkClicked: (_rng, ctx) => fill(linkClicked, common(ctx, ctx.world.config.lmsUrl + LINK_PATH)),
} satisfies Record<string, StatementBuilder>;
