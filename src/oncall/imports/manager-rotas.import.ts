import { parseReference } from '../../imports/field-parsers.js';
import { inChunks } from '../../imports/importer.js';
import { PERSON_COLUMNS, PERSON_SELECT } from './people.js';
import { PERIOD_COLUMNS, rotaImporter } from './rota-import.js';

// Regional on-call managers per region and period, with their mobiles. A region needs a manager
// at every moment of the file's span: they take escalations and life-safety emergencies.

export const managerRotasImporter = rotaImporter({
  kind: 'manager-rotas',
  columns: [
    { name: 'region', required: true, aliases: ['region_code', 'code_region', 'direction'] },
    {
      name: 'manager_ref',
      required: true,
      aliases: ['reference_cadre', 'matricule', 'cadre', 'manager'],
    },
    ...PERSON_COLUMNS,
    ...PERIOD_COLUMNS,
  ],
  personColumn: 'manager_ref',
  noun: 'regional manager',
  peopleEntity: 'managers',
  gapConsequence: ': escalations and emergencies then reach nobody',

  async loadScopes(tx, { zone }) {
    const regions = await tx.region.findMany({ select: { id: true, code: true } });
    return new Map(regions.map((r) => [r.code, { id: r.id, code: r.code, zone, holidayCalendar: 'FR' }]));
  },

  readTarget(r, scopes) {
    const code = r.required('region', parseReference);
    if (!code) return null;
    const scope = scopes.get(code);
    if (!scope) {
      r.error('region', `unknown region "${code}" (import it with the agencies file first)`);
      return null;
    }
    return { key: scope.id, label: code, scope, onCallType: null };
  },

  loadPeople: (tx, references) =>
    inChunks(references, (chunk) =>
      tx.regionalManager.findMany({
        where: { reference: { in: chunk } },
        select: PERSON_SELECT,
      }),
    ),

  async loadPeriods(tx, target, span) {
    const rows = await tx.managerRota.findMany({
      where: { regionId: target.scope.id, startsAt: { lt: span.end }, endsAt: { gt: span.start } },
      select: { id: true, startsAt: true, endsAt: true, manager: { select: { reference: true } } },
    });
    // Page attempts refer to managers, not to their rota periods.
    return rows.map((r) => ({
      id: r.id,
      personRef: r.manager.reference,
      start: r.startsAt,
      end: r.endsAt,
      paged: false,
    }));
  },

  requiredCoverage: async (_tx, _target, span) => [span],

  async createPerson(tx, reference, scope, details) {
    const created = await tx.regionalManager.create({
      data: { reference, regionId: scope.id, ...details },
      select: { id: true },
    });
    return created.id;
  },

  async updatePerson(tx, id, data) {
    await tx.regionalManager.update({ where: { id }, data });
  },

  async writePeriods(tx, target, { create, update, remove }) {
    if (remove.length > 0) await tx.managerRota.deleteMany({ where: { id: { in: remove } } });
    for (const { id, end } of update) await tx.managerRota.update({ where: { id }, data: { endsAt: end } });
    if (create.length > 0)
      await tx.managerRota.createMany({
        data: create.map((p) => ({
          regionId: target.scope.id,
          managerId: p.personId,
          startsAt: p.start,
          endsAt: p.end,
        })),
      });
  },
});
