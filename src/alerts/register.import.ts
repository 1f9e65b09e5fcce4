import type { CustomerClass } from '../generated/prisma/enums.js';
import { isMobile } from '../identification/phone-number.js';
import type { ColumnSpec } from '../imports/csv-reader.js';
import {
  fold,
  type Parsed,
  parseEmail,
  parsePhoneList,
  parsePostcode,
  parseReference,
  parseText,
  parseYesNo,
} from '../imports/field-parsers.js';
import { emptyCounts } from '../imports/import-report.js';
import { changedFields, type Importer, type ImportPlan, inChunks, isEmpty } from '../imports/importer.js';
import { RowReader } from '../imports/row-reader.js';

// [AL-1] The customer register, one line per meter: the customer (contacts, consent to alerts,
// class, cut-off flag), the supply point and its address, the meter and its diameter. What puts
// a utility's meters under consumption alerts. Lines are independent: a line with an error is
// left out and the others applied; the same file again changes nothing. Optional columns left out
// of the file keep what is stored; an empty cell in a column that is there clears it.

export const REGISTER_COLUMNS: readonly ColumnSpec[] = [
  { name: 'customer_ref', required: true, aliases: ['reference_client', 'numero_client'] },
  { name: 'last_name', required: true, aliases: ['nom'] },
  { name: 'first_name', aliases: ['prenom'] },
  { name: 'company_name', aliases: ['raison_sociale'] },
  { name: 'class', aliases: ['categorie', 'type_client'] },
  { name: 'email', aliases: ['courriel'] },
  { name: 'phones', aliases: ['telephones', 'telephone', 'mobile'] },
  { name: 'alerts', aliases: ['alertes', 'consentement_alertes', 'alerts_consent'] },
  { name: 'not_eligible_for_cut_off', aliases: ['non_coupable', 'assistance_medicale'] },
  { name: 'supply_point_ref', required: true, aliases: ['pdl', 'point_de_livraison', 'reference_pdl'] },
  { name: 'address', required: true, aliases: ['adresse'] },
  { name: 'postcode', required: true, aliases: ['code_postal', 'cp'] },
  { name: 'city', required: true, aliases: ['ville', 'commune'] },
  { name: 'meter_serial', required: true, aliases: ['compteur', 'numero_compteur'] },
  { name: 'diameter_mm', required: true, aliases: ['diametre', 'calibre'] },
];

const CLASSES: Record<string, CustomerClass> = {
  residential: 'RESIDENTIAL',
  particulier: 'RESIDENTIAL',
  residentiel: 'RESIDENTIAL',
  professional: 'PROFESSIONAL',
  professionnel: 'PROFESSIONAL',
  'local authority': 'LOCAL_AUTHORITY',
  collectivite: 'LOCAL_AUTHORITY',
  'public administration': 'PUBLIC_ADMINISTRATION',
  administration: 'PUBLIC_ADMINISTRATION',
  'collective housing': 'COLLECTIVE_HOUSING',
  collectif: 'COLLECTIVE_HOUSING',
};

function parseClass(raw: string): Parsed<CustomerClass> {
  const found =
    CLASSES[fold(raw)] ?? (Object.values(CLASSES).includes(raw as CustomerClass) ? raw : undefined);
  return found
    ? { value: found as CustomerClass }
    : { error: `"${raw}" is not a customer class (residential, professional, local authority, ...)` };
}

function parseDiameter(raw: string): Parsed<number> {
  const n = Number(raw.trim());
  return Number.isInteger(n) && n > 0 && n < 1000
    ? { value: n }
    : { error: `"${raw}" is not a meter diameter in millimetres` };
}

const name = parseText(100);
const address = parseText(200);

interface RegisterLine {
  line: number;
  customer: {
    reference: string;
    lastName: string;
    firstName: string | null | undefined;
    companyName: string | null | undefined;
    class: CustomerClass | undefined;
    email: string | null | undefined;
    alertsActive: boolean | undefined;
    notEligibleForCutOff: boolean | undefined;
  };
  phones: string[] | undefined;
  supplyPoint: { reference: string; addressLine: string; postcode: string; city: string };
  meter: { serial: string; diameterMm: number };
}

/** An empty cell means "none"/"no"; a column absent from the file means "keep". */
const emptyAs = <T>(value: T | null | undefined, empty: T): T | undefined => (value === null ? empty : value);

function parseLine(r: RowReader, line: number): RegisterLine | null {
  const parsed = {
    line,
    customer: {
      reference: r.required('customer_ref', parseReference),
      lastName: r.required('last_name', name),
      firstName: r.optional('first_name', name),
      companyName: r.optional('company_name', name),
      class: r.optional('class', parseClass) ?? undefined,
      email: r.optional('email', parseEmail),
      alertsActive: emptyAs(r.optional('alerts', parseYesNo), false),
      notEligibleForCutOff: emptyAs(r.optional('not_eligible_for_cut_off', parseYesNo), false),
    },
    phones: emptyAs(r.optional('phones', parsePhoneList), []),
    supplyPoint: {
      reference: r.required('supply_point_ref', parseReference),
      addressLine: r.required('address', address),
      postcode: r.required('postcode', parsePostcode),
      city: r.required('city', name),
    },
    meter: {
      serial: r.required('meter_serial', parseReference),
      diameterMm: r.required('diameter_mm', parseDiameter),
    },
  };
  return r.valid ? (parsed as RegisterLine) : null;
}

export const registerImporter: Importer = {
  kind: 'register',
  columns: REGISTER_COLUMNS,
  wholeFile: false,

  async plan(tx, rows, { issues }): Promise<ImportPlan> {
    const customers = emptyCounts();
    const supplyPoints = emptyCounts();
    const meters = emptyCounts();
    const phones = emptyCounts();
    const lines: RegisterLine[] = [];
    const diameters = new Set(
      (await tx.alertThreshold.findMany({ select: { diameterMm: true } })).map((t) => t.diameterMm),
    );
    const firstOf = new Map<string, RegisterLine>();
    for (const row of rows) {
      const line = parseLine(new RowReader(row, issues), row.line);
      if (!line) continue;
      if (!diameters.has(line.meter.diameterMm)) {
        issues.error(
          row.line,
          'diameter_mm',
          `no alert threshold for a ${line.meter.diameterMm} mm meter (known: ${[...diameters].sort((a, b) => a - b).join(', ')})`,
        );
        continue;
      }
      // A customer's details must read the same on each of their lines.
      const first = firstOf.get(line.customer.reference);
      if (
        first &&
        JSON.stringify([first.customer, first.phones]) !== JSON.stringify([line.customer, line.phones])
      ) {
        issues.error(
          row.line,
          'customer_ref',
          `customer "${line.customer.reference}" is described otherwise on line ${first.line}`,
        );
        continue;
      }
      if (!first) firstOf.set(line.customer.reference, line);
      lines.push(line);
    }

    const storedCustomers = new Map(
      (
        await inChunks([...firstOf.keys()], (chunk) =>
          tx.customer.findMany({
            where: { reference: { in: chunk } },
            select: {
              id: true,
              reference: true,
              lastName: true,
              firstName: true,
              companyName: true,
              class: true,
              email: true,
              alertsActive: true,
              notEligibleForCutOff: true,
              phones: { select: { id: true, e164: true } },
            },
          }),
        )
      ).map((c) => [c.reference, c]),
    );
    const storedPoints = new Map(
      (
        await inChunks(
          lines.map((l) => l.supplyPoint.reference),
          (chunk) =>
            tx.supplyPoint.findMany({
              where: { reference: { in: chunk } },
              select: {
                id: true,
                reference: true,
                customerId: true,
                addressLine: true,
                postcode: true,
                city: true,
              },
            }),
        )
      ).map((p) => [p.reference, p]),
    );
    const storedMeters = new Map(
      (
        await inChunks(
          lines.map((l) => l.meter.serial),
          (chunk) =>
            tx.meter.findMany({
              where: { serial: { in: chunk } },
              select: { id: true, serial: true, supplyPointId: true, diameterMm: true },
            }),
        )
      ).map((m) => [m.serial, m]),
    );

    for (const { customer, phones: desiredPhones } of firstOf.values()) {
      const stored = storedCustomers.get(customer.reference);
      if (!stored) {
        customers.created++;
        phones.created += desiredPhones?.length ?? 0;
        continue;
      }
      const { id: _id, phones: storedPhones, ...fields } = stored;
      const phonesChanged =
        desiredPhones !== undefined &&
        (desiredPhones.length !== storedPhones.length ||
          desiredPhones.some((n) => !storedPhones.some((p) => p.e164 === n)));
      if (!isEmpty(changedFields(fields, customer)) || phonesChanged) customers.updated++;
      else customers.unchanged++;
    }
    for (const l of lines) {
      const point = storedPoints.get(l.supplyPoint.reference);
      if (!point) supplyPoints.created++;
      else if (
        !isEmpty(changedFields(point, l.supplyPoint)) ||
        point.customerId !== storedCustomers.get(l.customer.reference)?.id
      )
        supplyPoints.updated++;
      else supplyPoints.unchanged++;
      const meter = storedMeters.get(l.meter.serial);
      if (!meter) meters.created++;
      else if (meter.diameterMm !== l.meter.diameterMm || meter.supplyPointId !== point?.id) meters.updated++;
      else meters.unchanged++;
    }

    return {
      entities: { customers, supplyPoints, meters, phones },
      applicable: lines.length,
      async apply(write) {
        const touched = new Set<string>();
        const customerIds = new Map<string, string>();
        for (const { customer, phones: desiredPhones } of firstOf.values()) {
          const { reference, ...fields } = customer;
          const saved = await write.customer.upsert({
            where: { reference },
            create: {
              reference,
              ...fields,
              firstName: fields.firstName ?? null,
              companyName: fields.companyName ?? null,
              addressLine: '',
              postcode: '',
              city: '',
            },
            update: fields,
            select: { id: true, phones: { select: { id: true, e164: true } } },
          });
          customerIds.set(reference, saved.id);
          if (desiredPhones === undefined) continue;
          const gone = saved.phones.filter((p) => !desiredPhones.includes(p.e164));
          if (gone.length > 0)
            await write.customerPhone.deleteMany({ where: { id: { in: gone.map((p) => p.id) } } });
          const added = desiredPhones.filter((n) => !saved.phones.some((p) => p.e164 === n));
          if (added.length > 0)
            await write.customerPhone.createMany({
              data: added.map((e164) => ({
                customerId: saved.id,
                e164,
                kind: isMobile(e164) ? 'MOBILE' : 'LANDLINE',
              })),
              skipDuplicates: true,
            });
          for (const n of [...gone.map((p) => p.e164), ...added]) touched.add(n);
        }
        for (const l of lines) {
          const customerId = customerIds.get(l.customer.reference)!;
          // The customer's address is the first supply point's when the register is all we know.
          await write.customer.updateMany({
            where: { id: customerId, addressLine: '' },
            data: {
              addressLine: l.supplyPoint.addressLine,
              postcode: l.supplyPoint.postcode,
              city: l.supplyPoint.city,
            },
          });
          const point = await write.supplyPoint.upsert({
            where: { reference: l.supplyPoint.reference },
            create: { ...l.supplyPoint, customerId },
            update: { ...l.supplyPoint, customerId },
            select: { id: true },
          });
          await write.meter.upsert({
            where: { serial: l.meter.serial },
            create: { ...l.meter, supplyPointId: point.id },
            update: { diameterMm: l.meter.diameterMm, supplyPointId: point.id },
          });
        }
        return { phones: [...touched] };
      },
    };
  },
};
