// The phones of the people paged in the night storm: every call and SMS the service asks of the
// Twilio stand-in is carried as Twilio would carry it, back to the service's own signed webhooks
// (the page's TwiML, the technician's keys, the status callbacks from `initiated` on), after the
// delays a phone takes.
// What a technician does depends on their agency's number, so that the storm knows what each page
// must end with: accepted at once, at the second call, or escalated to the regional manager after
// two failed attempts (DOMAIN.md section 1, [ON-9]).

/** What the on-call technician of agency n does with each page call. */
export type Behaviour = 'accepts' | 'accepts-second-call' | 'never-answers' | 'voicemail-then-refuses';

export const BEHAVIOURS: readonly Behaviour[] = [
  'accepts',
  'accepts-second-call',
  'never-answers',
  'voicemail-then-refuses',
];

export const behaviourOf = (agency: number): Behaviour => BEHAVIOURS[agency % BEHAVIOURS.length]!;

/** The attempts' outcomes a page must end with, in order (the last one the regional manager's, if escalated). */
export const EXPECTED_OUTCOMES: Record<Behaviour, string[]> = {
  accepts: ['ACCEPTED'],
  'accepts-second-call': ['NO_ANSWER', 'ACCEPTED'],
  'never-answers': ['NO_ANSWER', 'NO_ANSWER', 'ACCEPTED'],
  'voicemail-then-refuses': ['MACHINE', 'REFUSED', 'ACCEPTED'],
};

type Answer = 'accept' | 'refuse' | 'no-answer' | 'voicemail';

const ANSWERS: Record<Behaviour, Answer[]> = {
  accepts: ['accept'],
  'accepts-second-call': ['no-answer', 'accept'],
  'never-answers': ['no-answer', 'no-answer'],
  'voicemail-then-refuses': ['voicemail', 'refuse'],
};

export interface PhoneDelays {
  /** Ringing before someone (or the voicemail) picks up. */
  ringMs: [number, number];
  /** Ringing before Twilio gives up on a call nobody answers. */
  noAnswerMs: number;
  /** Listening to the page before pressing a key. */
  listenMs: [number, number];
  /** Between an SMS's `sent` and `delivered` callbacks. */
  deliveryMs: [number, number];
}

export interface Webhooks {
  /** POSTs a signed form to the service, at `path` under its public address; the answer. */
  post(path: string, params: Record<string, string>): Promise<{ status: number; body: string }>;
  /** The path under the service's public address of a URL it gave Twilio. */
  pathOf(url: string): string;
}

/**
 * Twilio may deliver a callback twice, late or out of order: every `messyEvery`-th call has its
 * last status posted twice and a late `ringing` after it, and every `messyEvery`-th SMS its
 * `delivered` before its `sent`, the `sent` twice. The service must move nothing backwards and
 * count no failure twice.
 */
export const MESSY_EVERY = 3;

export interface PhoneEvents {
  /** Callbacks posted, by kind, and those answered with something other than 200/204. */
  posted: Record<string, number>;
  failed: string[];
  /** Callbacks still to come. */
  pending: number;
}

/**
 * The phones: `call` and `sms` are given each create request the stand-in answered (its form and
 * the sid it returned). `isManager(to)` tells the regional manager's number: the manager accepts.
 */
export function createPhones(
  webhooks: Webhooks,
  agencyOf: (to: string) => number | null,
  isManager: (to: string) => boolean,
  delays: PhoneDelays,
  accountSid: string,
) {
  const callsTo = new Map<string, number>();
  let calls = 0;
  let texts = 0;
  const events: PhoneEvents = { posted: {}, failed: [], pending: 0 };
  const between = ([min, max]: [number, number]) => min + Math.random() * (max - min);
  const later = (ms: number, step: () => Promise<void>) => {
    events.pending++;
    setTimeout(() => {
      step()
        .catch((err: unknown) => events.failed.push(`callback: ${String(err)}`))
        .finally(() => events.pending--);
    }, ms);
  };
  const post = async (kind: string, path: string, params: Record<string, string>, expected: number) => {
    events.posted[kind] = (events.posted[kind] ?? 0) + 1;
    const answer = await webhooks.post(path, params);
    if (answer.status !== expected)
      events.failed.push(`${kind}: ${answer.status} ${answer.body.slice(0, 200)}`);
    return answer.body;
  };

  const answerOf = (to: string): Answer => {
    if (isManager(to)) return 'accept';
    const agency = agencyOf(to);
    const n = (callsTo.get(to) ?? 0) + 1;
    callsTo.set(to, n);
    if (agency === null) return 'no-answer';
    return ANSWERS[behaviourOf(agency)][n - 1] ?? 'no-answer';
  };

  return {
    events,
    call(form: URLSearchParams, sid: string) {
      const to = form.get('To') ?? '';
      const call = { CallSid: sid, AccountSid: accountSid, From: form.get('From') ?? '', To: to };
      const twimlPath = webhooks.pathOf(form.get('Url') ?? '');
      const statusPath = webhooks.pathOf(form.get('StatusCallback') ?? '');
      const messy = ++calls % MESSY_EVERY === 0;
      const post1 = (CallStatus: string) =>
        post(`call ${CallStatus}`, statusPath, { ...call, CallStatus, Direction: 'outbound-api' }, 204);
      const status = async (CallStatus: string) => {
        await post1(CallStatus);
        if (!messy) return;
        await post1(CallStatus);
        later(between(delays.deliveryMs), () => post1('ringing').then(() => {}));
      };
      const answer = answerOf(to);
      // Twilio tells the call's status callback as soon as the call exists.
      later(100, () => post1('initiated').then(() => {}));
      if (answer === 'no-answer') {
        later(delays.noAnswerMs, () => status('no-answer').then(() => {}));
        return;
      }
      later(between(delays.ringMs), async () => {
        const picked = { ...call, CallStatus: 'in-progress', Direction: 'outbound-api' };
        if (answer === 'voicemail') {
          await post('page TwiML', twimlPath, { ...picked, AnsweredBy: 'machine_end_beep' }, 200);
          await status('completed');
          return;
        }
        const twiml = await post('page TwiML', twimlPath, { ...picked, AnsweredBy: 'human' }, 200);
        const action = /<Gather[^>]*action="([^"]+)"/.exec(twiml)?.[1]?.replace(/&amp;/g, '&');
        if (!action) {
          events.failed.push(`page TwiML without a menu: ${twiml.slice(0, 200)}`);
          await status('completed');
          return;
        }
        later(between(delays.listenMs), async () => {
          await post('page key', action, { ...picked, Digits: answer === 'accept' ? '1' : '2' }, 200);
          await status('completed');
        });
      });
    },
    sms(form: URLSearchParams, sid: string) {
      const statusPath = webhooks.pathOf(form.get('StatusCallback') ?? '');
      if (!statusPath) return;
      const message = { MessageSid: sid, SmsSid: sid, AccountSid: accountSid, To: form.get('To') ?? '' };
      const status = (MessageStatus: string) =>
        post(`sms ${MessageStatus}`, statusPath, { ...message, MessageStatus }, 204).then(() => {});
      const [first, second] = ++texts % MESSY_EVERY === 0 ? ['delivered', 'sent'] : ['sent', 'delivered'];
      later(between(delays.ringMs) / 4, async () => {
        await status(first);
        later(between(delays.deliveryMs), async () => {
          await status(second);
          if (second === 'sent') await status('sent');
        });
      });
    },
  };
}
