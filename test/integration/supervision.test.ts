import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSocket } from '../support/console-socket.js';
import { type Harness, startHarness } from '../support/harness.js';
import { until } from '../support/until.js';

// The supervisor's view: queues and SLA breaches per agency, the multi-contact cases, and who is
// online with which case open, across two api processes sharing one store.

let now = new Date('2026-11-24T09:30:00Z');
let first: Harness;
let second: Harness;
const sockets: Socket[] = [];
let agencyId: string;

beforeAll(async () => {
  first = await startHarness({ listen: true, clock: { now: () => now } });
  second = await startHarness({
    listen: true,
    databaseUrl: first.settings.databaseUrl,
    keepRedis: true,
    clock: { now: () => now },
  });
  const db = first.services.db;
  const region = await db.region.create({ data: { code: 'R-SUP', name: 'Région' } });
  agencyId = (
    await db.agency.create({ data: { code: 'A-SUP', name: 'Agence de Metz', regionId: region.id } })
  ).id;
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await second.close();
  await first.close();
});

const socketTo = (h: Harness, token: string) => consoleSocket(h, token, sockets);

const api = (h: Harness, token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

type Online = Array<{ userId: string; role: string; viewing: string[] }>;
const presence = async (token: string): Promise<Online> =>
  (await api(first, token, 'GET', '/api/presence')).json().users;

async function openCase(
  token: string,
  subject: string,
  urgency = 'NORMAL',
): Promise<{ id: string; number: number }> {
  const created = await api(first, token, 'POST', '/api/cases', {
    agencyId,
    kind: 'REQUEST',
    urgency,
    category: 'call',
    subject,
    contact: { channel: 'EMAIL', direction: 'INBOUND', summary: subject },
  });
  expect(created.statusCode).toBe(201);
  return created.json();
}

describe('presence', () => {
  it('tells an agent who else has the case open, and the supervisor who is online on what', async () => {
    const alice = await first.login('AGENT');
    const bruno = await second.login('AGENT');
    const supervisor = await first.login('SUPERVISOR');
    const kase = await openCase(alice, 'Fuite au compteur');

    const aliceSocket = await socketTo(first, alice);
    const brunoSocket = await socketTo(second, bruno);
    const toldBruno = new Promise<{ caseId: string; viewers: Array<{ userId: string }> }>((resolve) => {
      brunoSocket.on('presence', (presence) => {
        if (presence.caseId === kase.id && presence.viewers.length === 2) resolve(presence);
      });
    });
    aliceSocket.emit('presence:viewing', { caseId: kase.id });
    brunoSocket.emit('presence:viewing', { caseId: kase.id });
    // Bruno, on the other api process, hears that Alice has the same case open.
    const told = await toldBruno;
    expect(new Set(told.viewers.map((v) => v.userId)).size).toBe(2);

    const online = await until(async () => {
      const users = await presence(supervisor);
      return users.filter((u) => u.viewing.includes(kase.id)).length === 2 && users;
    });
    expect(online.filter((u) => u.viewing.includes(kase.id)).map((u) => u.role)).toEqual(['AGENT', 'AGENT']);
    // With the number of each case open, for the supervisor's list.
    const { caseNumbers } = (await api(first, supervisor, 'GET', '/api/presence')).json();
    expect(caseNumbers).toEqual({ [kase.id]: kase.number });

    // Bruno moves on; then Alice closes her console: the supervisor sees nobody on the case.
    brunoSocket.emit('presence:viewing', { caseId: null });
    aliceSocket.disconnect();
    const after = await until(async () => {
      const users = await presence(supervisor);
      return !users.some((u) => u.viewing.includes(kase.id)) && users;
    });
    expect(after.some((u) => u.viewing.includes(kase.id))).toBe(false);
  });

  it('keeps the presence list for supervisors', async () => {
    const agent = await first.login('AGENT');
    expect((await api(first, agent, 'GET', '/api/presence')).statusCode).toBe(403);
  });
});

describe('supervision', () => {
  it('counts open, urgent, overdue and due-soon cases per agency, and lists breaches and multi-contact cases', async () => {
    const agent = await first.login('AGENT');
    const supervisor = await first.login('SUPERVISOR');
    now = new Date('2026-11-24T09:30:00Z');
    const urgent = await openCase(agent, 'Odeur de gaz', 'URGENT'); // due 10:30
    const email = await openCase(agent, 'Question facture'); // due in 48 h
    await api(first, agent, 'POST', `/api/cases/${email.id}/contacts`, {
      channel: 'PHONE',
      direction: 'INBOUND',
      summary: 'relance',
    });

    now = new Date('2026-11-24T10:00:00Z'); // the urgent case is due within the hour
    let view = (await api(first, supervisor, 'GET', '/api/supervision')).json();
    let queue = view.queues.find((q: { agencyId: string }) => q.agencyId === agencyId);
    expect(queue).toMatchObject({
      agency: 'Agence de Metz',
      urgent: 1,
      overdue: 0,
      dueWithinHour: 1,
      multiContact: 1,
    });
    expect(view.multiContact.map((c: { id: string }) => c.id)).toContain(email.id);

    now = new Date('2026-11-24T10:45:00Z'); // now it is late
    view = (await api(first, supervisor, 'GET', '/api/supervision')).json();
    queue = view.queues.find((q: { agencyId: string }) => q.agencyId === agencyId);
    expect(queue).toMatchObject({ overdue: 1, dueWithinHour: 0 });
    expect(view.overdue.map((c: { id: string }) => c.id)).toEqual([urgent.id]);
    expect(view.overdue[0]).toMatchObject({
      number: urgent.number,
      urgency: 'URGENT',
      agency: { name: 'Agence de Metz' },
    });

    await api(first, agent, 'POST', `/api/cases/${urgent.id}/close`, { resolution: 'Technicien passé.' });
    view = (await api(first, supervisor, 'GET', '/api/supervision')).json();
    expect(view.overdue).toEqual([]);
    expect((await api(first, agent, 'GET', '/api/supervision')).statusCode).toBe(403);
  });
});
