/**
 * The xAPI statements a journey emits (reference §3.8): registered, navigated, attempted,
 * evaluated and the video verbs. Key order id, actor, timestamp, verb, version, context,
 * object, result. Each template is compiled twice, once per actor form (account or `mailto:`).
 */

import {
  ACROSSX_TYPE_EXT,
  COURSE_ACTIVITY_TYPE,
  COURSE_PARENT,
  DEMO_COURSE_NAME,
  EVENT_VERSION_EXT,
  SCORE,
  SESSION_ID,
  SESSION_ID_EXT,
  TRANSFORMER_VERSION,
  TRANSFORMER_VERSION_EXT,
  verb,
  XAPI_VERSION,
} from '../generate/statements/common.ts';
import { type CompiledTemplate, compileTemplate, raw, render, str, type TemplateValue } from '../generate/template.ts';

export const VERB = {
  registered: 'http://adlnet.gov/expapi/verbs/registered',
  navigated: 'https://w3id.org/xapi/dod-isd/verbs/navigated',
  attempted: 'http://adlnet.gov/expapi/verbs/attempted',
  evaluated: 'https://w3id.org/xapi/acrossx/verbs/evaluated',
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  played: 'https://w3id.org/xapi/video/verbs/played',
  paused: 'https://w3id.org/xapi/video/verbs/paused',
  seeked: 'https://w3id.org/xapi/video/verbs/seeked',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  terminated: 'http://adlnet.gov/expapi/verbs/terminated',
} as const;
export type VerbName = keyof typeof VERB;

export const EXT = {
  time: 'https://w3id.org/xapi/video/extensions/time',
  timeFrom: 'https://w3id.org/xapi/video/extensions/time-from',
  timeTo: 'https://w3id.org/xapi/video/extensions/time-to',
  length: 'https://w3id.org/xapi/video/extensions/length',
  attemptId: 'http://id.tincanapi.com/extension/attempt-id',
  endingPoint: 'http://id.tincanapi.com/extension/ending-point',
  startingPosition: 'http://id.tincanapi.com/extension/starting-position',
  totalItems: 'https://w3id.org/xapi/acrossx/extensions/total-items',
} as const;

const INTERACTION_TYPE = 'http://adlnet.gov/expapi/activities/cmi.interaction';
const VIDEO_TYPE = 'https://w3id.org/xapi/video/activity-type/video';
const RESOURCE_TYPE = 'http://id.tincanapi.com/activitytype/resource';
const QUESTION_TEXT = 'Add the question text, or prompt, here.';

const ACCOUNT_ACTOR: TemplateValue = {
  objectType: 'Agent',
  account: { homePage: str('homePage'), name: str('actor') },
};
const MBOX_ACTOR: TemplateValue = { objectType: 'Agent', mbox: str('actor') };

type Shape = (actor: TemplateValue) => TemplateValue;

function head(actor: TemplateValue, name: VerbName): Record<string, TemplateValue> {
  return { id: str('id'), actor, timestamp: str('timestamp'), verb: verb(VERB[name], name), version: XAPI_VERSION };
}

function videoShape(name: VerbName, result: TemplateValue): Shape {
  return (actor) => ({
    ...head(actor, name),
    context: {
      contextActivities: COURSE_PARENT,
      extensions: { [EVENT_VERSION_EXT]: '1.0', [EXT.length]: raw('length') },
    },
    object: { definition: { type: VIDEO_TYPE }, id: str('objectId'), objectType: 'Activity' },
    result,
  });
}

const SHAPES = {
  registered: (actor) => ({
    ...head(actor, 'registered'),
    context: { extensions: { [TRANSFORMER_VERSION_EXT]: TRANSFORMER_VERSION, [SESSION_ID_EXT]: SESSION_ID } },
    object: {
      definition: {
        extensions: { [ACROSSX_TYPE_EXT]: str('mode') },
        name: { en: DEMO_COURSE_NAME },
        type: COURSE_ACTIVITY_TYPE,
      },
      id: str('courseUrl'),
      objectType: 'Activity',
    },
  }),
  navigated: (actor) => ({
    ...head(actor, 'navigated'),
    context: {
      contextActivities: COURSE_PARENT,
      extensions: {
        [TRANSFORMER_VERSION_EXT]: TRANSFORMER_VERSION,
        [SESSION_ID_EXT]: SESSION_ID,
        [EXT.startingPosition]: raw('startingPosition'),
        [EXT.endingPoint]: str('endingPoint'),
      },
    },
    object: {
      definition: { extensions: { [EXT.totalItems]: raw('totalItems') }, type: RESOURCE_TYPE },
      id: str('objectId'),
      objectType: 'Activity',
    },
  }),
  attempted: (actor) => ({
    ...head(actor, 'attempted'),
    context: { contextActivities: COURSE_PARENT },
    object: { definition: { type: INTERACTION_TYPE }, id: str('objectId'), objectType: 'Activity' },
  }),
  evaluated: (actor) => ({
    ...head(actor, 'evaluated'),
    context: { contextActivities: COURSE_PARENT, extensions: { [EVENT_VERSION_EXT]: '1.0' } },
    object: {
      definition: {
        extensions: { [EXT.attemptId]: raw('attemptId') },
        description: { 'en-US': QUESTION_TEXT },
        interactionType: 'other',
        type: INTERACTION_TYPE,
      },
      id: str('objectId'),
      objectType: 'Activity',
    },
    result: { response: str('response'), score: SCORE, success: raw('success') },
  }),
  initialized: videoShape('initialized', { extensions: {} }),
  played: videoShape('played', { extensions: { [EXT.time]: raw('time') } }),
  paused: videoShape('paused', { extensions: { [EXT.time]: raw('time') } }),
  completed: videoShape('completed', { extensions: { [EXT.time]: raw('time') } }),
  terminated: videoShape('terminated', { extensions: { [EXT.time]: raw('time') } }),
  seeked: videoShape('seeked', { extensions: { [EXT.timeFrom]: raw('timeFrom'), [EXT.timeTo]: raw('timeTo') } }),
} satisfies Record<VerbName, Shape>;

interface Compiled {
  readonly account: CompiledTemplate;
  readonly mbox: CompiledTemplate;
}

const TEMPLATES = Object.fromEntries(
  Object.entries(SHAPES).map(([name, shape]) => [
    name,
    { account: compileTemplate(shape(ACCOUNT_ACTOR)), mbox: compileTemplate(shape(MBOX_ACTOR)) },
  ]),
) as Record<VerbName, Compiled>;

/** Who a statement is about: the account name (external UUID) or the `mailto:` address. */
export interface StatementActor {
  readonly mbox: boolean;
  /** The external UUID, or `mailto:<email>`. */
  readonly actorId: string;
}

/**
 * Renders one statement as the quoted-field CSV text (quotes doubled). `values` holds every
 * slot but `id`, `actor`, `homePage` and `timestamp`, already as JSON text for raw slots.
 */
export function renderStatementCsv(
  name: VerbName,
  actor: StatementActor,
  common: { readonly id: string; readonly timestamp: string; readonly homePage: string },
  values: { readonly [slot: string]: string },
): string {
  const template = actor.mbox ? TEMPLATES[name].mbox : TEMPLATES[name].account;
  const ordered = template.slotNames.map((slot) => {
    const value =
      slot === 'id'
        ? common.id
        : slot === 'actor'
          ? actor.actorId
          : slot === 'homePage'
            ? common.homePage
            : slot === 'timestamp'
              ? common.timestamp
              : values[slot];
    if (value === undefined) throw new Error(`journeys statement ${name}: no value for slot "${slot}"`);
    return value;
  });
  return render(template, ordered, 'csv');
}
