import { parseOnCallType, parseReference } from '../../imports/field-parsers.js';
import { inChunks } from '../../imports/importer.js';
import { agencyCalendar } from '../on-call-windows.js';
import { onCallIntervals } from './on-call-intervals.js';
import { PERSON_COLUMNS, PERSON_SELECT } from './people.js';
import { PERIOD_COLUMNS, type RotaScope, rotaImporter } from './rota-import.js';

// Technicians on call per agency, on-call type and period, with their mobiles. Gaps are looked
// for within the agency's on-call hours for that type (nobody is needed while the agency is open).

export const technicianRotasImporter = rotaImporter({
  kind: 'technician-rotas',
  columns: [
    { name: 'agency', required: true, aliases: ['agence', 'code_agence', 'agency_code'] },
    { name: 'on_call_type', required: true, aliases: ['type_astreinte'] },
    {
      name: 'technician_ref',
      required: true,
      aliases: ['reference_technicien', 'matricule', 'technicien', 'technician'],
    },
    ...PERSON_COLUMNS,
    ...PERIOD_COLUMNS,
  ],
  personColumn: 'technician_ref',
  noun: 'technician',
  peopleEntity: 'technicians',
  gapConsequence: ': calls then go to the regional on-call manager',

  async loadScopes(tx) {
    const agencies = await tx.agency.findMany({
      select: { id: true, code: true, timeZone: true, holidayCalendar: true },
    });
    return new Map(
      agencies.map((a) => [
        a.code,
        {
          id: a.id,
          code: a.code,
          zone: a.timeZone,
          holidayCalendar: a.holidayCalendar,
        } satisfies RotaScope,
      ]),
    );
  },

  readTarget(r, scopes) {
    const code = r.required('agency', parseReference);
    const onCallType = r.required('on_call_type', parseOnCallType);
    if (!code) return null;
    const scope = scopes.get(code);
    if (!scope) {
      r.error('agency', `unknown agency "${code}" (import it with the agencies file first)`);
      return null;
    }
    if (!onCallType) return null;
    return { key: `${scope.id}/${onCallType}`, label: `${code} ${onCallType}`, scope, onCallType };
  },

  loadPeople: (tx, references) =>
    inChunks(references, (chunk) =>
      tx.technician.findMany({
        where: { reference: { in: chunk } },
        select: PERSON_SELECT,
      }),
    ),

  async loadPeriods(tx, target, span) {
    const rows = await tx.technicianRota.findMany({
      where: {
        agencyId: target.scope.id,
        onCallType: target.onCallType!,
        startsAt: { lt: span.end },
        endsAt: { gt: span.start },
      },
      select: {
        id: true,
        startsAt: true,
        endsAt: true,
        technician: { select: { reference: true } },
        _count: { select: { pageAttempts: true } },
      },
    });
    return rows.map((r) => ({
      id: r.id,
      personRef: r.technician.reference,
      start: r.startsAt,
      end: r.endsAt,
      paged: r._count.pageAttempts > 0,
    }));
  },

  async requiredCoverage(tx, target, span, { calendar }) {
    const windows = await tx.onCallWindow.findMany({
      where: { agencyId: target.scope.id, onCallType: target.onCallType! },
      select: { day: true, startMinute: true, endMinute: true },
    });
    // No on-call hours recorded (yet): every minute of the span counts.
    if (windows.length === 0) return [span];
    const { zone: timeZone, holidayCalendar } = target.scope;
    return onCallIntervals(windows, span, agencyCalendar(calendar, { timeZone, holidayCalendar }));
  },

  async createPerson(tx, reference, scope, details) {
    const created = await tx.technician.create({
      data: { reference, agencyId: scope.id, ...details },
      select: { id: true },
    });
    return created.id;
  },

  async updatePerson(tx, id, data) {
    await tx.technician.update({ where: { id }, data });
  },

  async writePeriods(tx, target, { create, update, remove }) {
    if (remove.length > 0) await tx.technicianRota.deleteMany({ where: { id: { in: remove } } });
    for (const { id, end } of update)
      await tx.technicianRota.update({ where: { id }, data: { endsAt: end } });
    if (create.length > 0)
      await tx.technicianRota.createMany({
        data: create.map((p) => ({
          agencyId: target.scope.id,
          onCallType: target.onCallType!,
          technicianId: p.personId,
          startsAt: p.start,
          endsAt: p.end,
        })),
      });
  },
});
