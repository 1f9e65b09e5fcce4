import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Twilio from 'twilio';
import { callEnded } from '../agents/call-end.service.js';
import { placeOf } from '../agents/call-queue.js';
import { connectUrl, distributionDeps } from '../agents/distribution.deps.js';
import { queueCall, waitingPlace } from '../agents/queueing.service.js';
import { toE164, toNational } from '../identification/phone-number.js';
import { applyProviderStatus } from '../messaging/delivery-status.js';
import { isFinal } from '../messaging/message-status.js';
import { fromTwilioStatus } from '../messaging/twilio/twilio-vocabulary.js';
import { afterOutOfHoursCall, pageCallStatus } from '../oncall/paging.service.js';
import { isUuid } from '../platform/ids.js';
import { sendTwiml, type TwilioParams } from '../platform/twilio-webhook.js';
import type { Services } from '../services.js';
import type { CallState } from './call-state.js';
import { createFlowEngine, queueWaitAnswer } from './flow-engine.js';
import { justLeftQueue, justQueued, screenPopOf } from './screen-pop.js';
import type { ServiceLine } from './service-lines.js';
import { parkVoicemail, recordOrParkCallEnd, recordVoicemail, type Voicemail } from './voicemail.service.js';

const twilio = { access: 'twilio' } as const;
const VOICE_DEADLINE_MS = 5000;

const redirectTo = (url: string) => {
  const r = new Twilio.twiml.VoiceResponse();
  r.redirect({ method: 'POST' }, url);
  return r.toString();
};

export function voiceRoutes(app: FastifyInstance, services: Services): void {
  const { voice, lines, callStates, db, redis, events, clock, metrics, templates, settings } = services;

  // A caller never hears an error: whatever fails in a voice webhook, Twilio gets TwiML that
  // apologises and records a message.
  const safely =
    (
      reason: string,
      handler: (params: TwilioParams, request: FastifyRequest) => Promise<string>,
      fallback: () => string = () => voice.apology('fr'),
    ) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const params = (request.body ?? {}) as TwilioParams;
      let timer: NodeJS.Timeout | undefined;
      // Twilio gives up after 15 s and plays its own error: answer our fallback well before.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`voice webhook took over ${VOICE_DEADLINE_MS} ms`)),
          VOICE_DEADLINE_MS,
        );
      });
      try {
        return sendTwiml(reply, await Promise.race([handler(params, request), deadline]));
      } catch (err) {
        metrics.voiceFallbacks.inc({ reason });
        request.log.error(
          { err, callSid: params.CallSid },
          `voice webhook failed (${reason}): caller gets the apology and voicemail`,
        );
        return sendTwiml(reply, fallback());
      } finally {
        clearTimeout(timer);
      }
    };

  const fileRecording = async (
    state: CallState | null,
    params: TwilioParams,
    log: FastifyBaseLogger,
  ): Promise<string | null> => {
    const voicemail: Voicemail = {
      callSid: params.CallSid!,
      recordingUrl: params.RecordingUrl!,
      durationSeconds: Number(params.RecordingDuration ?? 0),
      from: state?.from ?? toE164(params.From),
      lineName: state?.line ?? lines.byNumber(toE164(params.To))?.name ?? 'unknown',
      customerIds: state?.customerIds ?? [],
      at: clock.now(),
    };
    // The page is released while the recording is filed: the page says nothing the recording adds
    // (the recap does, so it waits for it). Logged, never thrown: the status callback releases the
    // page again and its backstop sends it anyway.
    const pagedNow = state?.vars.routing === 'page-now';
    if (pagedNow) void outOfHoursCallEnded(state, state.caseId ?? null, log);
    try {
      const { caseId } = await recordVoicemail(db, events, voicemail);
      // The caller hears the goodbye while the recap goes.
      if (!pagedNow) void outOfHoursCallEnded(state, caseId, log);
      return caseId;
    } catch (err) {
      // The caller is told the message is recorded: it must not be lost.
      log.error({ err, callSid: params.CallSid }, 'voicemail not filed: parked until the database is back');
      await parkVoicemail(redis, voicemail);
      return null;
    }
  };

  // The end of an out-of-hours call (its description recorded, or a hang-up) lets its page go.
  // The page has a backstop delay of its own, so a failure here only delays it: log, go on.
  const outOfHoursCallEnded = async (
    state: CallState | null,
    caseId: string | null,
    log: FastifyBaseLogger,
  ) => {
    if (!caseId || !state || lines.byName(state.line)?.kind !== 'out-of-hours') return;
    try {
      const { routing, pageId } = state.vars;
      await afterOutOfHoursCall(
        services.paging,
        caseId,
        routing ? { kind: routing, pageId: pageId ?? null } : undefined,
      );
    } catch (err) {
      log.error({ err, caseId }, 'could not release the page at the end of the call: the backstop will');
    }
  };

  const engine = createFlowEngine({
    templates,
    actions: services.actions,
    fileRecording: (state, params) => fileRecording(state, params, app.log),
    now: () => clock.now(),
    logger: services.logger,
    actionTimeoutMs: settings.ivr.actionTimeoutMs,
    actionFailed: (action) => metrics.voiceFallbacks.inc({ reason: `action:${action}` }),
  });

  // A call that reaches the agents' queue is offered to one agent, whose console pops. That must
  // never hold up or break the caller's answer: done aside (the sweep offers it otherwise).
  const distribution = distributionDeps(services);
  const queueIfTransferred = (line: ServiceLine, before: CallState | null, after: CallState) => {
    if (!justQueued(line, before, after)) return;
    queueCall(distribution, {
      callSid: after.callSid,
      line: line.name,
      locale: after.locale,
      customerIds: after.customerIds,
      pop: screenPopOf(after, line, 'offered', clock.now()),
    }).catch((err) =>
      services.logger.error({ err, callSid: after.callSid }, 'call not queued for the agents'),
    );
  };

  app.post(
    '/twilio/voice/incoming',
    { config: twilio },
    safely('incoming', async (params, request) => {
      const line = lines.byNumber(toE164(params.To));
      if (!line || !params.CallSid) {
        request.log.warn({ callSid: params.CallSid }, 'call to a number that is not a service line');
        return voice.unknownLine;
      }
      // Twilio retried the first webhook: the call has started already, answer where it is.
      const known = await callStates.get(params.CallSid);
      if (known) return known.reply;
      const state = await engine.begin(line, {
        callSid: params.CallSid,
        line: line.name,
        locale: line.locale,
        from: toE164(params.From),
        customerIds: [],
        startedAt: clock.now().toISOString(),
        step: line.start,
        seq: 0,
        attempts: 0,
        vars: {},
        path: [],
        inputs: [],
        outcome: null,
        caseId: null,
        reply: '',
      });
      const started = await callStates.start(state);
      if (!started.replay) queueIfTransferred(line, null, started.state);
      return started.state.reply;
    }),
  );

  // Every answer the caller gives (keys, speech, silence, a recording, a transfer's end) comes
  // here with the answer count of the TwiML that asked for it.
  app.post(
    '/twilio/voice/step',
    { config: twilio },
    safely('step', async (params, request) => {
      const state = params.CallSid ? await callStates.get(params.CallSid) : null;
      const line = state ? lines.byName(state.line) : undefined;
      if (!state || !line) {
        request.log.warn({ callSid: params.CallSid }, 'step webhook for an unknown or expired call');
        return voice.apology('fr');
      }
      const seq = Number((request.query as { seq?: string }).seq);
      if (seq !== state.seq) return state.reply; // a retried webhook: same answer, no second run
      // Moved out of the queue to the agent who took the call, or out of it to be called back:
      // the queue's end is not the flow's.
      if (params.QueueResult) {
        const place = await placeOf(redis, state.callSid);
        if (params.QueueResult.startsWith('redirected') && place?.state === 'connected' && place.offerId)
          return redirectTo(connectUrl(distribution, place.offerId));
        if (params.QueueResult === 'leave' && place?.callback)
          return voice.say(
            state.locale,
            templates.render('voice/callback-kept', state.locale, { number: toNational(place.callback) }),
          );
      }
      const next = await engine.resume(line, state, params);
      if (next === state) return state.reply;
      if (await callStates.advance(seq, next)) {
        queueIfTransferred(line, state, next);
        // Out of the queue for the voicemail: no agent is to be offered the call any more.
        if (justLeftQueue(line, state, next)) await callEnded(distribution, state.callSid, 'left');
        return next.reply;
      }
      // Another process served the same webhook first: give its answer.
      return (await callStates.get(state.callSid))?.reply ?? next.reply;
    }),
  );

  // Twilio asks what a caller waiting in an agent queue hears, again and again while they wait.
  app.post(
    '/twilio/voice/queue-wait',
    { config: twilio },
    safely('queue-wait', async (params) => {
      const state = params.CallSid ? await callStates.get(params.CallSid) : null;
      if (!state) return voice.leaveQueue;
      const step = lines.byName(state.line)?.steps[state.step];
      const place = await waitingPlace(distribution, state.callSid);
      const waited = Number(params.QueueTime ?? 0);
      const choice =
        place && waited >= settings.distribution.callbackAfterSeconds
          ? { callback: state.from !== null }
          : null;
      return queueWaitAnswer(templates, state, step, waited, place, choice);
    }),
  );

  // The recording of the apology's voicemail (outside any flow).
  app.post(
    '/twilio/voice/recording',
    { config: twilio },
    safely(
      'recording',
      async (params, request) => {
        const state = await callStates.get(params.CallSid ?? '');
        const locale = state?.locale ?? 'fr';
        const duration = Number(params.RecordingDuration ?? 0);
        if (!params.CallSid || !params.RecordingUrl || duration <= 0)
          return voice.afterRecording(locale, false);
        await fileRecording(state, params, request.log);
        return voice.afterRecording(locale, true);
      },
      () => voice.afterRecording('fr', true),
    ),
    // Asking to record again after a failed recording webhook would loop; the recording stays
    // at Twilio and the error log carries its CallSid.
  );

  // What an outbound call says when it is answered (pages get their own flow in the on-call issue).
  app.post(
    '/twilio/voice/outbound',
    { config: twilio },
    safely('outbound', async (_params, request) => {
      const messageId = (request.query as { messageId?: string }).messageId;
      const message = isUuid(messageId)
        ? await db.message.findUnique({ where: { id: messageId }, select: { body: true, locale: true } })
        : null;
      if (!message) return voice.say('fr', templates.render('voice/no-message', 'fr'));
      return voice.say(
        message.locale,
        templates.render('voice/outbound-message', message.locale, { body: message.body }),
      );
    }),
  );

  // Status callbacks: for our outbound calls (messageId in the URL) and for inbound calls' end.
  app.post('/twilio/voice/status', { config: twilio }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const messageId = (request.query as { messageId?: string }).messageId;
    const status = fromTwilioStatus(params.CallStatus);
    if (isUuid(messageId) && status) {
      await applyProviderStatus(db, events, {
        messageId,
        providerId: params.CallSid,
        status,
        providerStatus: params.CallStatus,
        errorCode: params.ErrorCode,
        at: clock.now(),
      });
      if (isFinal(status)) await pageCallStatus(services.paging, messageId, status, params.AnsweredBy);
    } else if (params.CallSid && status && isFinal(status)) {
      const state = await callStates.get(params.CallSid);
      const callSid = params.CallSid;
      // The end reaches the call's state, the agents' queue and the page even when PostgreSQL
      // cannot take the call's trace (a caller who hung up is never offered to an agent); a step's
      // failure is raised once the others are done, logged with the call.
      const ended = await Promise.allSettled([
        recordOrParkCallEnd(db, redis, {
          state,
          callSid,
          status: params.CallStatus ?? 'unknown',
          durationSeconds: Number(params.CallDuration ?? 0),
          at: clock.now(),
        }).then((recorded) => {
          if (!recorded) request.log.warn({ callSid }, "call's end parked until PostgreSQL is back");
        }),
        callStates.end(callSid).then(() => callEnded(distribution, callSid, 'hung-up')),
        outOfHoursCallEnded(state, state?.caseId ?? null, request.log),
      ]);
      const failed = ended.find((step) => step.status === 'rejected');
      if (failed) throw failed.reason;
    }
    return reply.code(204).send();
  });
}
