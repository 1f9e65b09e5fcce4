import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { OpeningHoursSchema } from '../calendar/opening-hours.js';

// The format of a flow file in ivr-flows/: one schema per step type, discriminated by `type`,
// no unknown properties (a typo is an error, not an ignored key). Prompts are message-template
// keys (message-templates/<locale>/<key>.hbs), never text.

const StepId = Type.String({ pattern: '^[a-z][a-z0-9-]*$', description: 'a step name of this flow' });
const Prompt = Type.String({
  pattern: '^[a-z0-9/-]+$',
  description: 'message template key, e.g. voice/welcome-out-of-hours',
});
const Locale = Type.Union([Type.Literal('fr'), Type.Literal('en')]);

const step = <K extends string, T extends Record<string, TSchema>>(
  type: K,
  description: string,
  properties: T,
) => Type.Object({ type: Type.Literal(type), ...properties }, { additionalProperties: false, description });

export const SayStep = step(
  'say',
  'Speaks a prompt, then goes on; `set` notes facts for later steps. Example: { type: say, prompt: voice/emergency-safety, set: { emergency: "yes" }, next: identify }',
  {
    prompt: Prompt,
    set: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9]*$' }), Type.String())),
    next: StepId,
  },
);

export const GatherStep = step(
  'gather',
  'Asks for keys or speech; retries with another prompt on no or invalid input, then goes to fallback. Example: { type: gather, prompt: voice/ask-reference, retryPrompt: voice/ask-reference-again, input: [dtmf], numDigits: 7, save: reference, next: lookup, fallback: leave-message }',
  {
    prompt: Prompt,
    retryPrompt: Prompt,
    input: Type.Array(Type.Union([Type.Literal('dtmf'), Type.Literal('speech')]), {
      minItems: 1,
      uniqueItems: true,
    }),
    numDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30, default: 6 })),
    attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, default: 3 })),
    /** Where the input is kept in the call state, for actions and branches. */
    save: Type.Optional(Type.String({ pattern: '^[a-z][a-zA-Z0-9]*$' })),
    /** A key or keyword per next step (menu); without choices any input goes to `next`. */
    choices: Type.Optional(Type.Record(Type.String({ pattern: '^[0-9*#]$|^[a-zà-ÿ]+$' }), StepId)),
    next: Type.Optional(StepId),
    fallback: StepId,
  },
);

export const ActionStep = step(
  'action',
  'Calls a named domain action and goes on by its outcome; fallback when it fails or times out. Example: { type: action, action: identify-caller, outcomes: { one: known, several: which-one, none: ask-reference }, fallback: leave-message }',
  {
    action: Type.String({ pattern: '^[a-z][a-z0-9-]*$' }),
    outcomes: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]*$' }), StepId),
    fallback: StepId,
  },
);

export const BranchStep = step(
  'branch',
  'Goes on by the value of a saved variable. Example: { type: branch, on: emergency, cases: { "yes": page-manager }, default: describe }',
  {
    on: Type.String({ pattern: '^[a-z][a-zA-Z0-9]*$' }),
    cases: Type.Record(Type.String(), StepId),
    default: StepId,
  },
);

export const RecordStep = step(
  'record',
  'Records a voicemail after a prompt. Example: { type: record, prompt: voice/leave-message, maxSeconds: 180, next: goodbye }',
  {
    prompt: Prompt,
    maxSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 600, default: 180 })),
    next: StepId,
  },
);

export const TransferStep = step(
  'transfer',
  'Transfers to an agent queue or a number; fallback when nobody answers within timeoutSeconds. Example: { type: transfer, to: queue:daytime, prompt: voice/please-hold, next: goodbye, fallback: leave-message }',
  {
    to: Type.String({ pattern: '^queue:[a-z-]+$|^\\+[1-9][0-9]{6,14}$' }),
    /** Said before ringing, and while waiting in a queue. */
    prompt: Type.Optional(Prompt),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 600, default: 30 })),
    next: StepId,
    fallback: StepId,
  },
);

export const LanguageStep = step(
  'language',
  'Switches the language of the following prompts. Example: { type: language, locale: en, next: menu }',
  {
    locale: Locale,
    next: StepId,
  },
);

export const HangupStep = step(
  'hangup',
  'Says an optional last prompt and ends the call. Example: { type: hangup, prompt: voice/goodbye }',
  {
    prompt: Type.Optional(Prompt),
  },
);

export const FlowStep = Type.Union([
  SayStep,
  GatherStep,
  ActionStep,
  BranchStep,
  RecordStep,
  TransferStep,
  LanguageStep,
  HangupStep,
]);

export const FlowSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9-]+$' }),
    kind: Type.Union([Type.Literal('out-of-hours'), Type.Literal('daytime')]),
    locale: Locale,
    numbers: Type.Array(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' }), { minItems: 1 }),
    /** When the line is open; the check-opening-hours action reads it. */
    openingHours: Type.Optional(OpeningHoursSchema),
    start: StepId,
    steps: Type.Record(StepId, FlowStep),
  },
  { additionalProperties: false },
);

export type Flow = Static<typeof FlowSchema>;
export type Step = Static<typeof FlowStep>;
export const STEP_SCHEMAS: Record<string, TSchema> = {
  say: SayStep,
  gather: GatherStep,
  action: ActionStep,
  branch: BranchStep,
  record: RecordStep,
  transfer: TransferStep,
  language: LanguageStep,
  hangup: HangupStep,
};
