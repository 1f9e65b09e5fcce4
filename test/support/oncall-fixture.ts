import { PUBLIC_HOLIDAY } from '../../src/oncall/on-call-windows.js';
import type { Db } from '../../src/platform/db/client.js';
import { until } from './until.js';

// One agency per test: its region and regional manager, its technicians, on-call hours and rota,
// and a few customers. Tests get their own so that consecutive-failure counts never leak.

let agencies = 0;

export interface AgencyFixture {
  agencyId: string;
  agencyName: string;
  agencyEmail: string;
  directionEmail: string;
  technician: { id: string; mobile: string };
  manager: { id: string; mobile: string };
  /** Customers' calling numbers: covered, covered with the 7/7 option, not covered. */
  callers: { covered: string; sevenDays: string; notCovered: string };
}

export interface AgencyOptions {
  /** Weekly windows of the `individual` on-call type; default: weeknights 18:00-08:00 and weekend days. */
  windows?: Array<{ day: number; startMinute: number; endMinute: number }>;
  /** The technician's rota; default: on call all week (no gap). Null: nobody on the rota. */
  rota?: { startsAt: Date; endsAt: Date } | null;
}

const H = 60;
export const NIGHTS_AND_WEEKEND_DAYS = [
  ...[1, 2, 3, 4, 5].map((day) => ({ day, startMinute: 18 * H, endMinute: 32 * H })),
  ...[6, 7, PUBLIC_HOLIDAY].map((day) => ({ day, startMinute: 8 * H, endMinute: 20 * H })),
];
export const WEEKEND_DAYS_ONLY = [6, 7, PUBLIC_HOLIDAY].map((day) => ({
  day,
  startMinute: 8 * H,
  endMinute: 20 * H,
}));

const WEEK = { startsAt: new Date('2026-11-16T07:00:00Z'), endsAt: new Date('2026-12-07T07:00:00Z') };

/** A region and an agency of it on call on weeknights (18:00 to 08:00), without staff: for IVR tests. */
export async function createWeeknightAgency(db: Db, code: string, name: string): Promise<{ id: string }> {
  const region = await db.region.create({ data: { code: `R-${code}`, name: 'Région' } });
  return db.agency.create({
    data: {
      code: `A-${code}`,
      name,
      regionId: region.id,
      onCallWindows: {
        create: [1, 2, 3, 4, 5].map((day) => ({
          onCallType: 'individual',
          day,
          startMinute: 18 * H,
          endMinute: 32 * H,
        })),
      },
    },
    select: { id: true },
  });
}

export async function createAgency(db: Db, options: AgencyOptions = {}): Promise<AgencyFixture> {
  agencies += 1;
  const n = String(agencies).padStart(2, '0');
  const pid = String(process.pid % 100).padStart(2, '0');
  const mobile = (kind: number) => `+3360${pid}${n}${kind}00`.slice(0, 12).padEnd(12, '0');
  const region = await db.region.create({
    data: { code: `R-${pid}-${n}`, name: `Région ${n}`, directionEmail: `direction${n}@test.example` },
  });
  const agency = await db.agency.create({
    data: {
      code: `A-${pid}-${n}`,
      name: `Agence ${n}`,
      regionId: region.id,
      email: `agence${n}@test.example`,
      onCallWindows: {
        create: (options.windows ?? NIGHTS_AND_WEEKEND_DAYS).map((w) => ({ onCallType: 'individual', ...w })),
      },
    },
  });
  const technician = await db.technician.create({
    data: {
      agencyId: agency.id,
      reference: `T-${pid}-${n}`,
      lastName: 'Durand',
      firstName: 'Paul',
      mobile: mobile(1),
    },
  });
  if (options.rota !== null)
    await db.technicianRota.create({
      data: {
        agencyId: agency.id,
        technicianId: technician.id,
        onCallType: 'individual',
        ...(options.rota ?? WEEK),
      },
    });
  const manager = await db.regionalManager.create({
    data: {
      regionId: region.id,
      reference: `CR-${pid}-${n}`,
      lastName: 'Roux',
      firstName: 'Claire',
      mobile: mobile(9),
    },
  });
  await db.managerRota.create({ data: { regionId: region.id, managerId: manager.id, ...WEEK } });

  const callers = {
    covered: mobile(2),
    sevenDays: mobile(3),
    notCovered: mobile(4),
  };
  const terms = {
    covered: { outOfHoursCoverage: true, individual77: false },
    sevenDays: { outOfHoursCoverage: true, individual77: true },
    notCovered: { outOfHoursCoverage: false, individual77: false },
  };
  for (const [kind, phone] of Object.entries(callers) as Array<[keyof typeof callers, string]>) {
    await db.customer.create({
      data: {
        reference: `C${pid}${n}${kind.length}`,
        lastName: `Client ${kind}`,
        firstName: 'Anne',
        addressLine: '3 rue des Essais',
        postcode: '69002',
        city: 'Lyon',
        phones: { create: { e164: phone, kind: 'MOBILE' } },
        contracts: {
          create: {
            reference: `CT${pid}${n}${kind.length}`,
            agencyId: agency.id,
            onCallType: 'individual',
            equipment: 'INDIVIDUAL_GAS_BOILER',
            contractualDelay: 'sous 4 heures',
            ...terms[kind],
          },
        },
      },
    });
  }
  return {
    agencyId: agency.id,
    agencyName: agency.name,
    agencyEmail: agency.email!,
    directionEmail: region.directionEmail!,
    technician: { id: technician.id, mobile: technician.mobile },
    manager: { id: manager.id, mobile: manager.mobile },
    callers,
  };
}

/** The agency's page once it gave up (every attempt failed, the manager's too), with its attempts in order. */
export function pageGivenUp(db: Db, agencyId: string, timeoutMs: number) {
  return until(
    async () => {
      const found = await db.page.findFirst({
        where: { agencyId },
        include: { attempts: { orderBy: { number: 'asc' } } },
      });
      return found?.status === 'UNREACHED' && found;
    },
    timeoutMs,
    'the page given up after the manager',
  );
}
