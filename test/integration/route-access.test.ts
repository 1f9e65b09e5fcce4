import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../../src/platform/auth/principal.js';
import { type Harness, startHarness } from '../support/harness.js';

// Who may use each route, written out here: the api's every route (its OpenAPI document and the
// routes it serves) must be in this table and declare the same access, so a new route without a
// rule fails this test; and each route answers each kind of caller as the table says: 401 without
// a valid token, 403 for a role the route is not for, and past both for the roles it is for.
// Twilio's webhooks refuse anything unsigned (403).

type Caller = 'AGENT' | 'SUPERVISOR' | 'ADMIN' | 'IMPORT' | 'INTEGRATION';
type Rule = 'public' | 'twilio' | Caller[];

const STAFF: Caller[] = ['AGENT', 'SUPERVISOR', 'ADMIN'];
const SUPERVISORS: Caller[] = ['SUPERVISOR', 'ADMIN'];
const ADMIN: Caller[] = ['ADMIN'];

const RULES: Record<string, Rule> = {
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': [...STAFF],
  'GET /api/auth/me': [...STAFF],
  'POST /api/admin/api-tokens': [...ADMIN],
  'GET /healthz': 'public',
  'GET /api/clock': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /api/identification': [...STAFF],
  'POST /api/identification/verify': [...STAFF],
  'PUT /api/customers/:id/not-eligible-for-cut-off': [...SUPERVISORS],
  'GET /api/notices/contact-details': [...STAFF],
  'POST /api/customers/:id/contact-details': [...STAFF],
  'POST /twilio/voice/incoming': 'twilio',
  'POST /twilio/voice/step': 'twilio',
  'POST /twilio/voice/queue-wait': 'twilio',
  'POST /twilio/voice/recording': 'twilio',
  'POST /twilio/voice/outbound': 'twilio',
  'POST /twilio/voice/status': 'twilio',
  'GET /api/templates': [...STAFF],
  'POST /twilio/sms/incoming': 'twilio',
  'POST /twilio/sms/status': 'twilio',
  'GET /api/simulator/lines': [...STAFF],
  'GET /api/simulator/outbound': [...STAFF],
  'POST /api/simulator/calls': [...STAFF],
  'POST /api/simulator/calls/:sid/input': [...STAFF],
  'POST /api/simulator/calls/:sid/follow': [...STAFF],
  'POST /api/simulator/calls/:sid/hangup': [...STAFF],
  'POST /api/simulator/outbound/:sid/answer': [...STAFF],
  'POST /api/simulator/outbound/:sid/decline': [...STAFF],
  'POST /api/simulator/sms': [...STAFF],
  'GET /api/cases': [...STAFF],
  'POST /api/cases': [...STAFF],
  'GET /api/cases/:id': [...STAFF],
  'PATCH /api/cases/:id': [...STAFF],
  'POST /api/cases/:id/notes': [...STAFF],
  'POST /api/cases/:id/contacts': [...STAFF],
  'POST /api/cases/:id/answer': [...STAFF],
  'POST /api/cases/:id/waiting': [...STAFF],
  'DELETE /api/cases/:id/waiting': [...STAFF],
  'POST /api/cases/:id/cancel': [...STAFF],
  'POST /api/cases/:id/close': [...STAFF],
  'GET /api/supervision': [...SUPERVISORS],
  'GET /api/billing/holds': [...SUPERVISORS, 'INTEGRATION'],
  'POST /api/contact-form': 'public',
  'POST /twilio/voice/page': 'twilio',
  'POST /twilio/voice/page/answer': 'twilio',
  'GET /api/oncall/board': [...STAFF],
  'POST /api/pages/:id/outcome': [...STAFF],
  'POST /api/alerts/:id/acknowledge': [...STAFF],
  'PUT /api/customers/:id/alert-threshold': [...STAFF],
  'POST /api/customers/:id/alerts/deactivate': [...STAFF],
  'GET /api/alerts': [...STAFF],
  'GET /api/supply-points/:id/alerts': [...STAFF],
  'GET /api/alerts/letters': [...STAFF],
  'GET /api/alerts/thresholds': [...STAFF],
  'PUT /api/alerts/thresholds': [...ADMIN],
  'GET /api/events': [...STAFF, 'INTEGRATION'],
  'GET /api/agents/me': [...STAFF],
  'PUT /api/agents/me/state': [...STAFF],
  'GET /api/agents/available': [...STAFF],
  'GET /api/agents': [...SUPERVISORS],
  'GET /api/calls/figures': [...SUPERVISORS],
  'GET /api/calls/day.csv': [...SUPERVISORS],
  'POST /twilio/voice/connect': 'twilio',
  'POST /twilio/voice/callback-answered': 'twilio',
  'POST /twilio/voice/hold': 'twilio',
  'POST /twilio/voice/hold-wait': 'twilio',
  'POST /twilio/voice/requeue': 'twilio',
  'POST /twilio/voice/queue-choice': 'twilio',
  'POST /twilio/voice/agent-leg': 'twilio',
  'POST /twilio/voice/callback-status': 'twilio',
  'POST /api/calls/offers/:offerId/accept': [...STAFF],
  'POST /api/calls/offers/:offerId/decline': [...STAFF],
  'POST /api/calls/softphone-token': ['AGENT'],
  'POST /api/calls/current/hold': [...STAFF],
  'POST /api/calls/current/transfer': [...STAFF],
  'POST /api/calls/current/hangup': [...STAFF],
  'POST /api/appointments': [...STAFF],
  'GET /api/appointments': [...STAFF],
  'GET /api/appointments/:id': [...STAFF],
  'POST /api/appointments/:id/confirm': [...STAFF],
  'POST /api/appointments/:id/cancel': [...STAFF],
  'POST /api/appointments/:id/move': [...STAFF],
  'POST /api/appointments/:id/missed': [...STAFF],
  'POST /api/appointments/:id/call-done': [...STAFF],
  'GET /api/agencies/:id/slots': [...STAFF],
  'GET /api/cases/:id/slots': [...STAFF],
  'POST /api/technicians/:id/absences': [...STAFF],
  'POST /api/cases/:id/scheduling-callback': [...STAFF],
  'GET /api/scheduling-callbacks': [...STAFF],
  'GET /api/termination/lists': [...SUPERVISORS, 'INTEGRATION'],
  'POST /api/termination/run': [...SUPERVISORS, 'INTEGRATION'],
  'GET /api/termination/:list.csv': [...SUPERVISORS, 'INTEGRATION'],
  'GET /api/cases/:caseId/timers': [...STAFF],
  'POST /api/departures': [...STAFF],
  'GET /api/departures/:caseId': [...STAFF],
  'PATCH /api/departures/:caseId': [...STAFF],
  'POST /api/departures/:caseId/cancel': [...STAFF],
  'POST /api/departures/:caseId/confirmed': [...STAFF],
  'POST /api/vacant-housing': [...STAFF],
  'GET /api/vacant-housing/:caseId': [...STAFF],
  'GET /api/work-lists': [...STAFF],
  'GET /api/work-lists/:list.csv': [...STAFF],
  'POST /api/work-lists/calls/:caseId/outcome': [...STAFF],
  'POST /api/work-lists/field-tasks/:caseId/done': [...STAFF],
  'POST /api/work-lists/letters/printed': [...STAFF],
  'GET /api/presence': [...SUPERVISORS],
  'POST /api/imports/eligibility': [...ADMIN, 'IMPORT'],
  'POST /api/imports/agencies': [...ADMIN, 'IMPORT'],
  'POST /api/imports/on-call-hours': [...ADMIN, 'IMPORT'],
  'POST /api/imports/technician-rotas': [...ADMIN, 'IMPORT'],
  'POST /api/imports/manager-rotas': [...ADMIN, 'IMPORT'],
  'POST /api/imports/register': [...ADMIN, 'IMPORT'],
  'POST /api/imports/readings': [...ADMIN, 'IMPORT'],
  'POST /api/imports/field-roster': [...ADMIN, 'IMPORT'],
  'POST /api/imports/agency-closures': [...ADMIN, 'IMPORT'],
  'POST /api/imports/unpaid-interruptions': [...ADMIN, 'IMPORT'],
  // Not in the API documentation: pages, the documentation itself, signed links, the event stream.
  'GET /': 'public',
  'GET /console': 'public',
  'GET /openapi.json': 'public',
  'GET /alerts/ack': 'public',
  'POST /alerts/ack': 'public',
  'GET /events/stream': [...SUPERVISORS, 'INTEGRATION'],
};

const CALLERS: Caller[] = ['AGENT', 'SUPERVISOR', 'ADMIN', 'IMPORT', 'INTEGRATION'];

/** The callers a declared access lets in, as the table writes them. */
function asRule(access: Access): Rule {
  if (access === 'public' || access === 'twilio') return access;
  return CALLERS.filter((c) => [...(access.users ?? []), ...(access.tokens ?? [])].includes(c as never));
}

let h: Harness;
const tokens = {} as Record<Caller, string>;

beforeAll(async () => {
  h = await startHarness();
  for (const role of ['AGENT', 'SUPERVISOR', 'ADMIN'] as const) tokens[role] = await h.login(role);
  for (const role of ['IMPORT', 'INTEGRATION'] as const) tokens[role] = await h.apiToken(role);
});

afterAll(() => h.close());

/** A request to the route with every path parameter an unknown id, no body. */
const call = (route: string, authorization?: string) => {
  const [method, path] = route.split(' ') as [string, string];
  return h.app.inject({
    method: method as 'GET',
    url: path.replace(/:\w+/g, () => randomUUID()),
    headers: authorization ? { authorization } : {},
  });
};

describe('who may use each route', () => {
  it('has a rule for every route the api serves and documents, the same as the route declares', () => {
    const served = [...h.app.routeAccess].filter(([route]) => !route.startsWith('HEAD '));
    const spec = h.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(spec.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.filter((route) => !(route in RULES))).toEqual([]);
    expect(Object.fromEntries(served.map(([route, access]) => [route, asRule(access)]))).toEqual(RULES);
  });

  const guarded = Object.entries(RULES).filter((entry): entry is [string, Caller[]] =>
    Array.isArray(entry[1]),
  );

  it.each(guarded)(
    '%s: 401 without a valid token, 403 for other roles, open to its own',
    async (route, allowed) => {
      expect((await call(route)).statusCode).toBe(401);
      expect((await call(route, 'Bearer ccs_forged')).statusCode).toBe(401);
      expect((await call(route, `Basic ${Buffer.from('admin:admin').toString('base64')}`)).statusCode).toBe(
        401,
      );
      for (const caller of CALLERS) {
        // Logging out would end the session the next routes use.
        if (route === 'POST /api/auth/logout' && allowed.includes(caller)) continue;
        const status = (await call(route, `Bearer ${tokens[caller]}`)).statusCode;
        if (allowed.includes(caller)) expect([401, 403], `${caller} on ${route}`).not.toContain(status);
        else expect(status, `${caller} on ${route}`).toBe(403);
      }
    },
  );

  it.each(Object.keys(RULES).filter((route) => RULES[route] === 'twilio'))(
    '%s: refuses a request Twilio did not sign',
    async (route) => {
      expect((await call(route)).statusCode).toBe(403);
      expect((await call(route, `Bearer ${tokens.ADMIN}`)).statusCode).toBe(403);
    },
  );
});
