import { departmentOf } from '../../calendar/french-calendar.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { ColumnSpec } from '../../imports/csv-reader.js';
import {
  holidayCalendarFor,
  parseEmail,
  parseFieldHours,
  parseHolidayCalendar,
  parsePhone,
  parsePostcode,
  parseReference,
  parseText,
} from '../../imports/field-parsers.js';
import { emptyCounts } from '../../imports/import-report.js';
import { type Importer, type ImportPlan, inChunks } from '../../imports/importer.js';
import { RowReader } from '../../imports/row-reader.js';

// Agencies with their regional direction, one line per agency, sent by each regional direction.
// Lines are independent: a line with an error is skipped, the others are applied. The region's
// columns may be given on one line per region only; an empty region cell never clears a value.
// The agency's own optional cells (address, phone, recap e-mail) are the truth: empty clears.

export const AGENCY_COLUMNS: readonly ColumnSpec[] = [
  { name: 'agency_code', required: true, aliases: ['code_agence', 'agence'] },
  { name: 'agency_name', required: true, aliases: ['nom_agence'] },
  { name: 'region_code', required: true, aliases: ['code_region', 'code_direction'] },
  { name: 'region_name', aliases: ['nom_region', 'direction_regionale'] },
  { name: 'direction_email', aliases: ['email_direction', 'courriel_direction'] },
  { name: 'direction_phone', aliases: ['telephone_direction'] },
  { name: 'address', aliases: ['adresse'] },
  { name: 'postcode', required: true, aliases: ['code_postal', 'cp'] },
  { name: 'city', aliases: ['ville', 'commune'] },
  { name: 'phone', aliases: ['telephone', 'telephone_agence'] },
  { name: 'recap_email', aliases: ['email', 'courriel', 'email_agence', 'email_recapitulatif'] },
  { name: 'holiday_calendar', aliases: ['calendrier_feries', 'calendrier'] },
  { name: 'field_hours', aliases: ['horaires_terrain', 'horaires_intervention'] },
];

interface RegionDetails {
  name?: string;
  directionEmail?: string;
  directionPhone?: string;
}

interface AgencyLine {
  line: number;
  code: string;
  regionCode: string;
  region: RegionDetails;
  agency: {
    name: string;
    address: string | undefined;
    phone: string | null | undefined;
    email: string | null | undefined;
    holidayCalendar: string;
    /** [AP-2] JSON of the field hours; null: the service's default; undefined: kept. */
    fieldHours: string | null | undefined;
  };
}

const REGION_FIELDS = [
  ['name', 'region_name'],
  ['directionEmail', 'direction_email'],
  ['directionPhone', 'direction_phone'],
] as const;

export function parseAgencyRow(r: RowReader): AgencyLine | null {
  const code = r.required('agency_code', parseReference);
  const regionCode = r.required('region_code', parseReference);
  const name = r.required('agency_name', parseText(100));
  const street = r.optional('address', parseText(200));
  const postcode = r.required('postcode', parsePostcode);
  const city = r.optional('city', parseText(100));
  const calendar = r.optional('holiday_calendar', parseHolidayCalendar);
  const region: RegionDetails = {
    name: r.optional('region_name', parseText(100)) ?? undefined,
    directionEmail: r.optional('direction_email', parseEmail) ?? undefined,
    directionPhone: r.optional('direction_phone', parsePhone) ?? undefined,
  };
  const phone = r.optional('phone', parsePhone);
  const email = r.optional('recap_email', parseEmail);
  const fieldHours = r.optional('field_hours', parseFieldHours);
  if (!r.valid || !code || !regionCode || !name || !postcode) return null;

  const department = departmentOf(postcode);
  const expected = holidayCalendarFor(department);
  if (calendar && calendar !== expected)
    r.warn(
      'holiday_calendar',
      `${calendar} for an agency in department ${department}, where public holidays follow ${expected}`,
    );
  if (email === null)
    r.warn('recap_email', 'no recap e-mail: the agency will not receive the recaps of its calls');
  return {
    line: r.line,
    code,
    regionCode,
    region,
    agency: {
      name,
      // Without an address column the stored address is kept (the postcode alone is no address).
      address:
        street === undefined
          ? undefined
          : [street, [postcode, city].filter(Boolean).join(' ')].filter(Boolean).join(', '),
      phone,
      email,
      holidayCalendar: calendar ?? expected,
      // Compared as text with the stored value (the same key order: Monday first).
      fieldHours: fieldHours === undefined ? undefined : fieldHours && JSON.stringify(fieldHours),
    },
  };
}

export const agenciesImporter: Importer = {
  kind: 'agencies',
  columns: AGENCY_COLUMNS,
  wholeFile: false,

  async plan(tx, rows, { issues }): Promise<ImportPlan> {
    const lines: AgencyLine[] = [];
    const firstLineOf = new Map<string, number>();
    const regionDetails = new Map<string, { details: RegionDetails; lines: Map<string, number> }>();
    for (const row of rows) {
      const parsed = parseAgencyRow(new RowReader(row, issues));
      if (!parsed) continue;
      const seen = firstLineOf.get(parsed.code);
      if (seen !== undefined) {
        issues.error(parsed.line, 'agency_code', `agency "${parsed.code}" is already on line ${seen}`);
        continue;
      }
      // A region's details may repeat on each of its agencies' lines, but must agree.
      const region = regionDetails.get(parsed.regionCode) ?? {
        details: {} as RegionDetails,
        lines: new Map<string, number>(),
      };
      const conflict = REGION_FIELDS.find(
        ([key]) => parsed.region[key] && region.details[key] && parsed.region[key] !== region.details[key],
      );
      if (conflict) {
        const [key, column] = conflict;
        issues.error(
          parsed.line,
          column,
          `region "${parsed.regionCode}" has "${parsed.region[key]}" here but "${region.details[key]}" on line ${region.lines.get(key)}`,
        );
        continue;
      }
      for (const [key] of REGION_FIELDS)
        if (parsed.region[key] && !region.details[key]) {
          region.details[key] = parsed.region[key];
          region.lines.set(key, parsed.line);
        }
      regionDetails.set(parsed.regionCode, region);
      firstLineOf.set(parsed.code, parsed.line);
      lines.push(parsed);
    }

    const storedRegions = new Map(
      (
        await tx.region.findMany({
          where: { code: { in: [...regionDetails.keys()] } },
          select: { id: true, code: true, name: true, directionEmail: true, directionPhone: true },
        })
      ).map((r) => [r.code, r]),
    );
    const valid = lines.filter((l) => {
      if (storedRegions.has(l.regionCode) || regionDetails.get(l.regionCode)?.details.name) return true;
      issues.error(
        l.line,
        'region_name',
        `unknown region "${l.regionCode}": give its region_name to create it`,
      );
      return false;
    });

    const regions = emptyCounts();
    const agencies = emptyCounts();
    const regionWrites: Array<{ code: string; id?: string; data: RegionDetails }> = [];
    for (const code of new Set(valid.map((l) => l.regionCode))) {
      const { details } = regionDetails.get(code)!;
      const stored = storedRegions.get(code);
      if (!stored) {
        regionWrites.push({ code, data: details });
        regions.created++;
        continue;
      }
      const changes = Object.fromEntries(
        REGION_FIELDS.filter(([key]) => details[key] && details[key] !== stored[key]).map(([key]) => [
          key,
          details[key],
        ]),
      );
      if (Object.keys(changes).length > 0) {
        regionWrites.push({ code, id: stored.id, data: changes });
        regions.updated++;
      } else regions.unchanged++;
    }

    const storedAgencies = new Map(
      (
        await inChunks(
          valid.map((l) => l.code),
          (chunk) =>
            tx.agency.findMany({
              where: { code: { in: chunk } },
              select: {
                id: true,
                code: true,
                name: true,
                address: true,
                phone: true,
                email: true,
                holidayCalendar: true,
                fieldHours: true,
                region: { select: { code: true } },
              },
            }),
        )
      ).map((a) => [a.code, a]),
    );
    const agencyWrites: AgencyLine[] = [];
    for (const line of valid) {
      const found = storedAgencies.get(line.code);
      const stored = found && {
        ...found,
        fieldHours: found.fieldHours === null ? null : JSON.stringify(found.fieldHours),
      };
      if (!stored) {
        agencyWrites.push(line);
        agencies.created++;
        continue;
      }
      const differs =
        stored.region.code !== line.regionCode ||
        (Object.entries(line.agency) as Array<[keyof AgencyLine['agency'], string | null | undefined]>).some(
          ([key, value]) => value !== undefined && value !== stored[key],
        );
      if (differs) {
        agencyWrites.push(line);
        agencies.updated++;
      } else agencies.unchanged++;
    }

    return {
      entities: { regions, agencies },
      applicable: valid.length,
      async apply(tx) {
        const regionIds = new Map([...storedRegions.values()].map((r) => [r.code, r.id]));
        for (const { code, id, data } of regionWrites) {
          if (id) await tx.region.update({ where: { id }, data });
          else
            regionIds.set(
              code,
              (await tx.region.create({ data: { code, name: data.name!, ...data }, select: { id: true } }))
                .id,
            );
        }
        for (const { code, regionCode, agency } of agencyWrites) {
          const regionId = regionIds.get(regionCode)!;
          const { fieldHours, ...rest } = agency;
          const data = {
            ...rest,
            ...(fieldHours === undefined
              ? {}
              : { fieldHours: fieldHours === null ? Prisma.DbNull : JSON.parse(fieldHours) }),
          };
          await tx.agency.upsert({
            where: { code },
            create: { code, regionId, ...data },
            update: { regionId, ...data },
          });
        }
        return { phones: [] };
      },
    };
  },
};
