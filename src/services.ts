import type { Queue } from 'bullmq';
import { type CallControl, simulatorCallControl, twilioCallControl } from './agents/call-control.js';
import { alertReplies } from './alerts/acknowledgement.replies.js';
import type { NoticeDeps } from './alerts/notification.deps.js';
import { noticeFailed } from './alerts/notification.service.js';
import { appointmentReplies } from './appointments/appointment.replies.js';
import type { AppointmentDeps } from './appointments/appointments.deps.js';
import { appointmentSent, obsoleteReminder } from './appointments/customer-messages.js';
import { createFrenchCalendar, type FrenchCalendar } from './calendar/french-calendar.js';
import { departureReminderSent } from './follow-ups/departure-firing.js';
import type { FollowUpDeps } from './follow-ups/follow-ups.deps.js';
import type { Locale } from './generated/prisma/enums.js';
import { createPhoneIndex, type PhoneIndex } from './identification/phone-index.js';
import { type CallStates, createCallStates } from './ivr/call-state.js';
import { createDomainActions, type DomainActions } from './ivr/domain-actions.js';
import { loadServiceLines, type ServiceLines } from './ivr/service-lines.js';
import { buildVoiceResponses, type VoiceResponses } from './ivr/voice-responses.js';
import type { Channels } from './messaging/channel.port.js';
import { smtpEmailChannel } from './messaging/email/smtp-email.adapter.js';
import type { OutboxDeps, OutboxQueues } from './messaging/outbox.service.js';
import type { ReplyRouterDeps } from './messaging/replies/reply-router.js';
import { simulatorChannels } from './messaging/simulator/simulator-channels.js';
import { createSimulatorStore, type SimulatorStore } from './messaging/simulator/simulator-store.js';
import {
  assertTemplatesRender,
  loadTemplateSamples,
  type TemplateSamples,
} from './messaging/template-check.js';
import { LOCALES, loadTemplates, type Templates } from './messaging/templates.js';
import { createTwilioClient } from './messaging/twilio/twilio-client.js';
import { twilioSmsChannel } from './messaging/twilio/twilio-sms.adapter.js';
import { twilioVoiceChannel } from './messaging/twilio/twilio-voice.adapter.js';
import { obsoletePageMessage } from './oncall/page-obsolete.js';
import type { PagingDeps } from './oncall/paging.deps.js';
import { routeOnCall } from './oncall/route-on-call.action.js';
import { createRoutingData } from './oncall/routing-cache.js';
import { type Clock, serviceClock } from './platform/clock.js';
import { createDb, type Db } from './platform/db/client.js';
import { crashAt } from './platform/fault-points.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createMetrics, type Metrics } from './platform/metrics.js';
import { PATHS } from './platform/paths.js';
import { createQueue, QUEUE_NAMES } from './platform/queues.js';
import { connectRedis, createRedis, type Redis } from './platform/redis.js';
import { createLinkSigner } from './platform/signed-links.js';
import { createEventBus, type EventBus } from './realtime/event-bus.js';
import type { Settings } from './settings.js';

/** Everything the api and the workers share, built once from settings. */
export interface Services {
  settings: Settings;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  db: Db;
  redis: Redis;
  events: EventBus;
  outboxQueues: OutboxQueues;
  channels: Channels;
  /** Moves callers' live calls (out of the queue to an agent) and ends them. */
  callControl: CallControl;
  simulator: SimulatorStore | null;
  templates: Templates;
  /** Sample variables of each template (message-templates/samples.yaml), for checks and previews. */
  templateSamples: TemplateSamples;
  lines: ServiceLines;
  voice: VoiceResponses;
  callStates: CallStates;
  phoneIndex: PhoneIndex;
  calendar: FrenchCalendar;
  /** The domain actions IVR flows call. */
  actions: DomainActions;
  outbox: OutboxDeps;
  pagingQueue: Queue;
  paging: PagingDeps;
  notices: NoticeDeps;
  appointments: AppointmentDeps;
  followUps: FollowUpDeps;
  /** Where subscribers' SMS replies go (alerts today; appointments and follow-ups register here). */
  replies: ReplyRouterDeps;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Tests swap a channel for one that fails or stalls; the rest stays real. */
  channels?: (real: Channels) => Channels;
  /** Tests see or fail what the service does to live calls. */
  callControl?: (real: CallControl) => CallControl;
  /** Tests make a domain action fail or stall. */
  actions?: (real: DomainActions) => DomainActions;
}

export async function createServices(
  settings: Settings,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const logger = overrides.logger ?? createLogger(settings.logLevel);
  const clock = overrides.clock ?? serviceClock(settings.clockStart);
  const metrics = createMetrics();
  const redis = createRedis(settings.redisUrl, (err) => {
    metrics.redisErrors.inc();
    logger.warn({ err: err.message }, 'redis connection problem');
  });
  await connectRedis(redis, settings.redisUrl);
  const db = createDb(settings.databaseUrl);
  const events = createEventBus(redis, () => clock.now());
  const templates = await loadTemplates(PATHS.messageTemplates);
  // A template that cannot render with its sample variables would fail in front of a customer.
  const templateSamples = await loadTemplateSamples(PATHS.templateSamples);
  assertTemplatesRender(templates, templateSamples);
  const lines = await loadServiceLines(settings.ivr.flowsDir, templates);
  const simulator =
    settings.telephony === 'simulator' || settings.email === 'simulator'
      ? createSimulatorStore(redis, events)
      : null;
  const realChannels = buildChannels(settings, logger, clock, simulator);
  const channels = overrides.channels ? overrides.channels(realChannels) : realChannels;
  const realCallControl =
    settings.telephony === 'twilio'
      ? twilioCallControl(
          createTwilioClient(
            settings.twilio.accountSid,
            settings.twilio.authToken,
            settings.twilio.apiBaseUrl,
          ),
        )
      : simulatorCallControl(redis, events, channels.voice);
  const callControl = overrides.callControl ? overrides.callControl(realCallControl) : realCallControl;
  const outboxQueues: OutboxQueues = {
    SMS: createQueue(QUEUE_NAMES.outboxSms, redis),
    VOICE: createQueue(QUEUE_NAMES.outboxVoice, redis),
    EMAIL: createQueue(QUEUE_NAMES.outboxEmail, redis),
  };
  const phoneIndex = createPhoneIndex(db, redis, clock);
  const calendar = createFrenchCalendar(settings.timeZone);
  const outbox: OutboxDeps = {
    db,
    queues: outboxQueues,
    channels,
    events,
    clock,
    logger,
    publicBaseUrl: settings.publicBaseUrl,
    maxAttempts: settings.sendMaxAttempts,
    backoffMs: settings.sendBackoffMs,
    quietHours: settings.messaging.quietHours,
    calendar,
    metrics,
    faults: crashAt(settings.faultPoint),
  };
  const pagingQueue = createQueue(QUEUE_NAMES.paging, redis);
  const paging: PagingDeps = {
    db,
    events,
    queue: pagingQueue,
    outbox,
    templates,
    clock,
    logger,
    settings: settings.oncall,
    calendar,
    routingData: createRoutingData(db, redis, calendar),
    zone: settings.timeZone,
    faults: outbox.faults,
  };
  const notices: NoticeDeps = {
    db,
    events,
    outbox,
    templates,
    clock,
    logger,
    queue: createQueue(QUEUE_NAMES.alertNotices, redis),
    reminders: { count: settings.notices.reminders, everyMs: settings.notices.reminderEverySeconds * 1000 },
    links: createLinkSigner(settings.linkSigningSecret),
    linkTtlMs: settings.notices.ackLinkTtlDays * 24 * 3600_000,
    publicBaseUrl: settings.publicBaseUrl,
    zone: settings.timeZone,
  };
  outbox.onPermanentFailure = (message) => noticeFailed(notices, message);
  const appointments: AppointmentDeps = {
    db,
    events,
    outbox,
    templates,
    clock,
    calendar,
    settings: settings.appointments,
  };
  outbox.obsolete = async (message) => {
    if (message.purpose === 'oncall-page') return obsoletePageMessage(paging, message.id);
    if (message.purpose === 'appointment-reminder') return obsoleteReminder(appointments, message.id);
    return null;
  };
  const followUps: FollowUpDeps = {
    db,
    events,
    outbox,
    templates,
    clock,
    logger,
    queue: createQueue(QUEUE_NAMES.followUps, redis),
    zone: settings.timeZone,
    calendar,
    settings: settings.followUps,
  };
  outbox.sent = async (message) => {
    await appointmentSent(appointments, message);
    await departureReminderSent(followUps, message);
  };
  const realActions = createDomainActions({
    db,
    phoneIndex,
    events,
    calendar,
    referencePrefixes: settings.ivr.referencePrefixes,
    routeOnCall: (request) => routeOnCall(paging, request),
    logger,
  });

  return {
    settings,
    logger,
    clock,
    metrics,
    db,
    redis,
    events,
    outboxQueues,
    channels,
    callControl,
    simulator,
    templates,
    templateSamples,
    lines,
    voice: buildVoiceResponses(templates, LOCALES as Locale[]),
    callStates: createCallStates(redis, settings.callStateTtlSeconds),
    phoneIndex,
    calendar,
    actions: overrides.actions ? overrides.actions(realActions) : realActions,
    outbox,
    pagingQueue,
    paging,
    notices,
    appointments,
    followUps,
    replies: {
      outbox,
      templates,
      redis,
      clock,
      targets: [alertReplies(notices), appointmentReplies(appointments)],
    },
    async close() {
      for (const queue of Object.values(outboxQueues)) await queue.close().catch(() => undefined);
      await pagingQueue.close().catch(() => undefined);
      await notices.queue.close().catch(() => undefined);
      await followUps.queue.close().catch(() => undefined);
      await db.$disconnect().catch(() => undefined);
      await redis.close().catch(() => redis.destroy());
    },
  };
}

function buildChannels(
  settings: Settings,
  logger: Logger,
  clock: Clock,
  simulator: SimulatorStore | null,
): Channels {
  const simulated = simulator
    ? simulatorChannels({
        store: simulator,
        authToken: settings.twilio.authToken,
        fromNumber: settings.twilio.fromNumber ?? '+33970000000',
        emailFrom: settings.emailFrom,
        logger,
        clock,
        ringTimeoutMs: settings.oncall.ringTimeoutSeconds * 1000,
      })
    : null;
  const twilioChannels = (() => {
    if (settings.telephony !== 'twilio') return null;
    const client = createTwilioClient(
      settings.twilio.accountSid,
      settings.twilio.authToken,
      settings.twilio.apiBaseUrl,
    );
    const sender = {
      from: settings.twilio.fromNumber,
      messagingServiceSid: settings.twilio.messagingServiceSid,
    };
    return {
      sms: twilioSmsChannel(client, sender),
      voice: twilioVoiceChannel(client, sender, settings.oncall.ringTimeoutSeconds),
    };
  })();
  const email =
    settings.email === 'smtp' && settings.smtpUrl
      ? smtpEmailChannel(settings.smtpUrl, settings.emailFrom)
      : simulated!.email;
  return {
    sms: twilioChannels?.sms ?? simulated!.sms,
    voice: twilioChannels?.voice ?? simulated!.voice,
    email,
  };
}
