import type { ColumnSpec } from '../../imports/csv-reader.js';
import { fold, type Parsed, parseReference, parseYesNo } from '../../imports/field-parsers.js';
import { emptyCounts } from '../../imports/import-report.js';
import { type Importer, type ImportPlan, inChunks } from '../../imports/importer.js';
import { parseLocalDate } from '../../imports/local-time.js';
import { RowReader } from '../../imports/row-reader.js';
import { REMINDED_CATEGORIES } from '../termination-rules.js';

// [TR-1] [TR-2] [TR-3] Supplies interrupted for non-payment, from the billing system, with what
// the termination run needs of their customers: the reminder category and the employee and
// sensitive flags. One line per customer and interruption; a line gives its restoration date
// when the supply is back (an empty cell: not restored). Lines are independent: a line with an
// error is skipped, the others are applied. An interruption not in the file is left as it was.

export const INTERRUPTION_COLUMNS: readonly ColumnSpec[] = [
  { name: 'customer', required: true, aliases: ['client', 'reference_client', 'customer_ref'] },
  { name: 'interrupted_on', required: true, aliases: ['date_coupure', 'coupure', 'interruption'] },
  { name: 'restored_on', aliases: ['date_retablissement', 'retablissement', 'restoration'] },
  { name: 'category', aliases: ['categorie', 'categorie_client'] },
  { name: 'employee', aliases: ['salarie', 'agent'] },
  { name: 'sensitive', aliases: ['sensible'] },
];

// [TR-3] The categories as the billing system may write them; "standard" and its kin: no reminder.
const CATEGORY_WORDS: Record<string, string | null> = {
  standard: null,
  'low voltage': null,
  'basse tension': null,
  bt: null,
  particulier: null,
  residential: null,
  'medium voltage': 'medium-voltage',
  'moyenne tension': 'medium-voltage',
  hta: 'medium-voltage',
  'retired employee': 'retired-employee',
  'agent retraite': 'retired-employee',
  retraite: 'retired-employee',
  'partner staff': 'partner-staff',
  'personnel partenaire': 'partner-staff',
  'board member': 'board-member',
  administrateur: 'board-member',
  'high authority': 'high-authority',
  'haute autorite': 'high-authority',
  'public administration': 'public-administration',
  'administration publique': 'public-administration',
  administration: 'public-administration',
  'local authority': 'local-authority',
  collectivite: 'local-authority',
  'collectivite locale': 'local-authority',
  'collectivite territoriale': 'local-authority',
};
for (const category of REMINDED_CATEGORIES) CATEGORY_WORDS[fold(category)] = category;

export function parseTerminationCategory(raw: string): Parsed<string | null> {
  const word = fold(raw);
  if (Object.hasOwn(CATEGORY_WORDS, word)) return { value: CATEGORY_WORDS[word]! };
  return {
    error: `"${raw}" is not a known category (standard, or one reminded before termination: ${REMINDED_CATEGORIES.join(', ')})`,
  };
}

interface InterruptionLine {
  line: number;
  customer: string;
  interruptedOn: string;
  /** null: not restored; undefined: no column, kept. */
  restoredOn: string | null | undefined;
  customerFields: { terminationCategory?: string | null; employee?: boolean; sensitive?: boolean };
}

const asDbDate = (day: string) => new Date(`${day}T00:00:00Z`);

export const interruptionsImporter: Importer = {
  kind: 'unpaid-interruptions',
  columns: INTERRUPTION_COLUMNS,
  wholeFile: false,

  async plan(tx, rows, { issues }): Promise<ImportPlan> {
    const lines: InterruptionLine[] = [];
    const seen = new Map<string, number>();
    for (const row of rows) {
      const r = new RowReader(row, issues);
      const customer = r.required('customer', parseReference);
      const interruptedOn = r.required('interrupted_on', parseLocalDate);
      const restoredOn = r.optional('restored_on', parseLocalDate);
      const category = r.optional('category', parseTerminationCategory);
      const employee = r.optional('employee', parseYesNo);
      const sensitive = r.optional('sensitive', parseYesNo);
      if (!r.valid || !customer || !interruptedOn) continue;
      if (restoredOn && restoredOn < interruptedOn) {
        r.error('restored_on', `restored on ${restoredOn}, before the interruption of ${interruptedOn}`);
        continue;
      }
      const key = `${customer}|${interruptedOn}`;
      const first = seen.get(key);
      if (first !== undefined) {
        r.error('interrupted_on', `this interruption of customer ${customer} is already on line ${first}`);
        continue;
      }
      seen.set(key, row.line);
      lines.push({
        line: row.line,
        customer,
        interruptedOn,
        restoredOn,
        customerFields: {
          ...(category !== undefined ? { terminationCategory: category } : {}),
          ...(employee !== undefined && employee !== null ? { employee } : {}),
          ...(sensitive !== undefined && sensitive !== null ? { sensitive } : {}),
        },
      });
    }

    const customers = new Map(
      (
        await inChunks([...new Set(lines.map((l) => l.customer))], (chunk) =>
          tx.customer.findMany({
            where: { reference: { in: chunk } },
            select: { id: true, reference: true, terminationCategory: true, employee: true, sensitive: true },
          }),
        )
      ).map((c) => [c.reference, c]),
    );
    const valid = lines.filter((l) => {
      if (customers.has(l.customer)) return true;
      issues.error(
        l.line,
        'customer',
        `unknown customer "${l.customer}" (import it with the register first)`,
      );
      return false;
    });
    const stored = new Map(
      (
        await inChunks(
          valid.map((l) => customers.get(l.customer)!.id),
          (chunk) =>
            tx.supplyInterruption.findMany({
              where: { customerId: { in: chunk } },
              select: { id: true, customerId: true, interruptedOn: true, restoredOn: true },
            }),
        )
      ).map((s) => [`${s.customerId}|${s.interruptedOn.toISOString().slice(0, 10)}`, s]),
    );

    const interruptions = emptyCounts();
    const customerCounts = emptyCounts();
    const creates: Array<{ customerId: string; interruptedOn: Date; restoredOn: Date | null }> = [];
    const restorations: Array<{ id: string; restoredOn: Date | null }> = [];
    const customerUpdates = new Map<string, InterruptionLine['customerFields']>();
    for (const line of valid) {
      const customer = customers.get(line.customer)!;
      const found = stored.get(`${customer.id}|${line.interruptedOn}`);
      if (!found) {
        creates.push({
          customerId: customer.id,
          interruptedOn: asDbDate(line.interruptedOn),
          restoredOn: line.restoredOn ? asDbDate(line.restoredOn) : null,
        });
        interruptions.created++;
      } else if (
        line.restoredOn !== undefined &&
        (found.restoredOn?.toISOString().slice(0, 10) ?? null) !== line.restoredOn
      ) {
        restorations.push({ id: found.id, restoredOn: line.restoredOn ? asDbDate(line.restoredOn) : null });
        interruptions.updated++;
      } else interruptions.unchanged++;
      const changes = Object.entries(line.customerFields).filter(
        ([key, value]) => customer[key as keyof typeof line.customerFields] !== value,
      );
      if (changes.length > 0 && !customerUpdates.has(customer.id)) {
        customerUpdates.set(customer.id, Object.fromEntries(changes));
        customerCounts.updated++;
      } else if (changes.length === 0) customerCounts.unchanged++;
    }

    return {
      entities: { interruptions, customers: customerCounts },
      applicable: valid.length,
      async apply(tx) {
        if (creates.length > 0) await tx.supplyInterruption.createMany({ data: creates });
        for (const { id, restoredOn } of restorations)
          await tx.supplyInterruption.update({ where: { id }, data: { restoredOn } });
        for (const [id, data] of customerUpdates) await tx.customer.update({ where: { id }, data });
        return { phones: [] };
      },
    };
  },
};
