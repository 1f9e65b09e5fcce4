import type { Locale } from '../generated/prisma/enums.js';
import type { Templates } from '../messaging/templates.js';
import type { Logger } from '../platform/logger.js';
import type { TwilioParams } from '../platform/twilio-webhook.js';
import type { CallState } from './call-state.js';
import type { ActionResult, DomainActions } from './domain-actions.js';
import type { Step } from './flow-schema.js';
import { interpretInput } from './gather-input.js';
import type { ServiceLine } from './service-lines.js';
import { type GatherTwiml, Twiml } from './twiml.js';

// Runs a flow of ivr-flows/. Each webhook answer runs the automatic steps (say, action, branch,
// language) up to the next step that waits for the caller (gather, record, transfer) or ends the
// call, and answers that as TwiML. The call state records where it stopped and how many answers
// it has had; the action URLs carry that count so a replayed webhook is recognised.

export const VOICE_LANGUAGE: Record<Locale, 'fr-FR' | 'en-GB'> = { fr: 'fr-FR', en: 'en-GB' };
/** A loop of automatic steps (branch → say → branch ...) is a flow bug: stop it, apologise. */
const MAX_AUTOMATIC_STEPS = 40;
const DEFAULT_GATHER_TIMEOUT_S = 6;
const DEFAULT_GATHER_ATTEMPTS = 3;
const DEFAULT_RECORD_SECONDS = 180;
const DEFAULT_TRANSFER_TIMEOUT_S = 30;

export const stepUrl = (seq: number) => `/twilio/voice/step?seq=${seq}`;
export const queueWaitUrl = (seq: number) => `/twilio/voice/queue-wait?seq=${seq}`;

export interface FlowEngineDeps {
  templates: Templates;
  actions: DomainActions;
  /** Files a recorded message on the call's case; returns the case id. */
  fileRecording(state: CallState, params: TwilioParams): Promise<string | null>;
  now(): Date;
  logger: Logger;
  actionTimeoutMs: number;
  /** Told when a domain action fails and the caller goes to the flow's fallback (for the metric). */
  actionFailed?(action: string): void;
}

export class FlowLoopError extends Error {}

export interface FlowEngine {
  /** The first answer of a call: runs the flow from its start step. */
  begin(line: ServiceLine, state: CallState): Promise<CallState>;
  /** The answer to the caller's input (or silence, or a recording, or a transfer's end). */
  resume(line: ServiceLine, state: CallState, params: TwilioParams): Promise<CallState>;
}

export function createFlowEngine(deps: FlowEngineDeps): FlowEngine {
  const { templates, actions, logger } = deps;

  const say = (r: Twiml | GatherTwiml, state: CallState, prompt: string) =>
    r.say({ language: VOICE_LANGUAGE[state.locale] }, templates.render(prompt, state.locale, state.vars));

  async function runAction(state: CallState, line: ServiceLine, name: keyof DomainActions) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`action ${name} took over ${deps.actionTimeoutMs} ms`)),
        deps.actionTimeoutMs,
      );
    });
    try {
      return (await Promise.race([actions[name]({ state, line, now: deps.now() }), timeout])) as ActionResult;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs steps from `from` until one waits for the caller; returns the answer's state. */
  async function runFrom(line: ServiceLine, state: CallState, from: string, r: Twiml): Promise<CallState> {
    let id = from;
    for (let count = 0; count < MAX_AUTOMATIC_STEPS; count++) {
      const step = line.steps[id]!;
      state.path.push(id);
      switch (step.type) {
        case 'say':
          Object.assign(state.vars, step.set);
          say(r, state, step.prompt);
          id = step.next;
          break;
        case 'language':
          state.locale = step.locale;
          id = step.next;
          break;
        case 'branch':
          id = step.cases[state.vars[step.on] ?? ''] ?? step.default;
          break;
        case 'action': {
          try {
            const result = await runAction(state, line, step.action as keyof DomainActions);
            Object.assign(state.vars, result.vars);
            if (result.customerIds) state.customerIds = result.customerIds;
            if (result.caseId) state.caseId = result.caseId;
            state.outcome = `${step.action}:${result.outcome}`;
            id = step.outcomes[result.outcome] ?? step.fallback;
          } catch (err) {
            // The caller hears the flow's fallback (a safe message), the log says why.
            logger.error({ err, callSid: state.callSid, step: id }, 'IVR action failed: going to fallback');
            deps.actionFailed?.(step.action);
            state.outcome = `${step.action}:failed`;
            state.path.push(`${id}:failed`);
            id = step.fallback;
          }
          break;
        }
        default:
          return wait(line, state, id, step, r);
      }
    }
    throw new FlowLoopError(
      `flow ${line.name} ran ${MAX_AUTOMATIC_STEPS} steps without waiting for the caller`,
    );
  }

  /** Answers a step that waits for the caller, or ends the call. */
  function wait(line: ServiceLine, state: CallState, id: string, step: Step, r: Twiml): CallState {
    const seq = state.seq + 1;
    state.step = id;
    switch (step.type) {
      case 'gather': {
        const gather = r.gather({
          input: step.input,
          action: stepUrl(seq),
          method: 'POST',
          language: VOICE_LANGUAGE[state.locale],
          timeout: step.timeoutSeconds ?? DEFAULT_GATHER_TIMEOUT_S,
          // Silence comes back to the same URL, so no input counts as a failed attempt.
          actionOnEmptyResult: true,
          ...(step.numDigits ? { numDigits: step.numDigits } : {}),
          ...(step.input.includes('speech') ? { speechTimeout: 'auto' } : {}),
        });
        say(gather, state, state.attempts > 0 ? step.retryPrompt : step.prompt);
        break;
      }
      case 'record':
        say(r, state, step.prompt);
        r.record({
          action: stepUrl(seq),
          method: 'POST',
          maxLength: step.maxSeconds ?? DEFAULT_RECORD_SECONDS,
          finishOnKey: '#',
          playBeep: true,
          timeout: 8,
        });
        // Reached only when the caller records nothing (Twilio goes on with the next verb).
        say(r, state, 'voice/no-message');
        r.hangup();
        break;
      case 'transfer': {
        if (step.prompt) say(r, state, step.prompt);
        const timeout = step.timeoutSeconds ?? DEFAULT_TRANSFER_TIMEOUT_S;
        if (step.to.startsWith('queue:')) {
          r.enqueue(
            { action: stepUrl(seq), method: 'POST', waitUrl: queueWaitUrl(seq), waitUrlMethod: 'POST' },
            step.to.slice('queue:'.length),
          );
        } else {
          r.dial({ action: stepUrl(seq), method: 'POST', timeout }, step.to);
        }
        break;
      }
      case 'hangup':
        if (step.prompt) say(r, state, step.prompt);
        r.hangup();
        break;
      default:
        throw new Error(`step ${id} of ${line.name} does not wait for the caller`);
    }
    state.seq = seq;
    state.reply = r.toString();
    return state;
  }

  return {
    begin(line, state) {
      return runFrom(line, { ...state, path: [...state.path] }, line.start, new Twiml());
    },

    async resume(line, current, params) {
      // The state was just parsed from Redis: copying what the steps change is enough (a deep
      // structuredClone cost more than the rest of the engine on a mid-flow step).
      const state: CallState = {
        ...current,
        customerIds: [...current.customerIds],
        vars: { ...current.vars },
        path: [...current.path],
        inputs: [...current.inputs],
      };
      const step = line.steps[state.step];
      const r = new Twiml();
      if (!step) throw new Error(`call ${state.callSid} is at step ${state.step}, unknown to ${line.name}`);
      switch (step.type) {
        case 'gather': {
          const input = interpretInput(step, params);
          state.inputs.push({ step: state.step, ...input.heard, accepted: input.target !== null });
          if (input.target !== null) {
            state.attempts = 0;
            if (step.save && input.value !== null) state.vars[step.save] = input.value;
            return runFrom(line, state, input.target, r);
          }
          state.attempts += 1;
          if (state.attempts >= (step.attempts ?? DEFAULT_GATHER_ATTEMPTS)) {
            state.attempts = 0;
            state.outcome = `${state.step}:no-valid-input`;
            return runFrom(line, state, step.fallback, r);
          }
          return wait(line, state, state.step, step, r);
        }
        case 'record': {
          const recorded = Number(params.RecordingDuration ?? 0) > 0 && Boolean(params.RecordingUrl);
          if (!recorded) {
            state.outcome = 'no-message';
            say(r, state, 'voice/no-message');
            r.hangup();
            state.seq += 1;
            state.reply = r.toString();
            return state;
          }
          state.caseId = (await deps.fileRecording(state, params)) ?? state.caseId;
          state.outcome = 'voicemail';
          return runFrom(line, state, step.next, r);
        }
        case 'transfer': {
          const answered =
            params.DialCallStatus === 'completed' ||
            params.DialCallStatus === 'answered' ||
            params.QueueResult === 'bridged';
          state.outcome = answered
            ? 'transferred'
            : `transfer:${params.DialCallStatus ?? params.QueueResult ?? 'unknown'}`;
          return runFrom(line, state, answered ? step.next : step.fallback, r);
        }
        default:
          // The call already ended on our side: say the last answer again.
          return current;
      }
    },
  };
}

/** Where a waiting caller's choice (1: called back, 2: a message) is posted. */
export const QUEUE_CHOICE_URL = '/twilio/voice/queue-choice';

/**
 * What a caller waiting in a queue hears: their place and the estimated wait, after a while the
 * choice to be called back (keeping their place) or to leave a message, the hold prompt; or
 * leaving once the wait is over.
 */
export function queueWaitAnswer(
  templates: Templates,
  state: CallState,
  step: Step | undefined,
  queueTimeSeconds: number,
  /** The caller's place in the queue and the estimated wait, told before the hold prompt. */
  place: { position: number; minutes: number } | null = null,
  /** Offer the choice (a callback only when the caller's number is known). */
  choice: { callback: boolean } | null = null,
): string {
  const r = new Twiml();
  const limit =
    step?.type === 'transfer'
      ? (step.timeoutSeconds ?? DEFAULT_TRANSFER_TIMEOUT_S)
      : DEFAULT_TRANSFER_TIMEOUT_S;
  if (queueTimeSeconds >= limit) {
    r.leave();
    return r.toString();
  }
  const language = VOICE_LANGUAGE[state.locale];
  // With a choice, what is said first listens for the key; silence goes on to the hold prompt.
  const first = choice
    ? r.gather({ input: 'dtmf', numDigits: 1, action: QUEUE_CHOICE_URL, method: 'POST', timeout: 3 })
    : r;
  if (place)
    first.say(
      { language },
      templates.render('voice/queue-position', state.locale, {
        position: String(place.position),
        first: place.position === 1,
        minutes: String(place.minutes),
        soon: place.minutes < 1,
      }),
    );
  if (choice) first.say({ language }, templates.render('voice/queue-choice', state.locale, choice));
  if (step?.type === 'transfer' && step.prompt)
    r.say(
      { language: VOICE_LANGUAGE[state.locale] },
      templates.render(step.prompt, state.locale, state.vars),
    );
  r.pause({ length: Math.min(10, limit - queueTimeSeconds) });
  return r.toString();
}
