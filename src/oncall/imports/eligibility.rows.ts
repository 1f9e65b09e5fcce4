import type { Equipment } from '../../generated/prisma/enums.js';
import type { ColumnSpec, CsvRow } from '../../imports/csv-reader.js';
import {
  delayMinutesFrom,
  parseEquipment,
  parseOnCallType,
  parsePhoneList,
  parsePositiveMinutes,
  parsePostcode,
  parseReference,
  parseText,
  parseYesNo,
} from '../../imports/field-parsers.js';
import type { Issues } from '../../imports/import-report.js';
import { parseLocalDate } from '../../imports/local-time.js';
import { RowReader } from '../../imports/row-reader.js';

// The weekly eligibility file: one line per contract, the customer's details repeated on each
// of their contracts' lines. Optional columns left out of the file keep what is stored; an empty
// cell in a column that is there clears it.

export const ELIGIBILITY_COLUMNS: readonly ColumnSpec[] = [
  { name: 'customer_ref', required: true, aliases: ['reference_client', 'ref_client', 'numero_client'] },
  { name: 'last_name', required: true, aliases: ['nom'] },
  { name: 'first_name', aliases: ['prenom'] },
  { name: 'company_name', aliases: ['raison_sociale'] },
  { name: 'address', required: true, aliases: ['adresse', 'adresse_desservie'] },
  { name: 'postcode', required: true, aliases: ['code_postal', 'cp'] },
  { name: 'city', required: true, aliases: ['ville', 'commune'] },
  { name: 'phones', aliases: ['telephones', 'telephone'] },
  // [ID-7] Medical assistance: never cut off. Yes/no; no reason is ever imported with it.
  {
    name: 'not_eligible_for_cut_off',
    aliases: ['non_coupable', 'assistance_medicale', 'not_to_be_cut_off'],
  },
  { name: 'contract_ref', required: true, aliases: ['reference_contrat', 'ref_contrat', 'numero_contrat'] },
  { name: 'out_of_hours', required: true, aliases: ['hors_heures_ouvrees', 'astreinte'] },
  { name: 'on_call_type', required: true, aliases: ['type_astreinte'] },
  { name: 'individual_7_7', aliases: ['individuel_7_7', 'option_7_7'] },
  { name: 'equipment', aliases: ['equipement'] },
  { name: 'contractual_delay', aliases: ['delai_contractuel', 'delai'] },
  { name: 'contractual_delay_minutes', aliases: ['delai_minutes'] },
  { name: 'agency', required: true, aliases: ['agence', 'code_agence', 'agency_code'] },
  // [DP-5] Where the contract supplies (a supply point of the register): a new one there ends a
  // vacant-housing follow-up.
  { name: 'supply_point_ref', aliases: ['pdl', 'point_de_livraison', 'reference_pdl'] },
  // [DP-4] The day the contract ends (terminated): a departed customer's case closes then.
  { name: 'ends_on', aliases: ['date_fin', 'fin_contrat', 'date_resiliation', 'terminated_on'] },
];

export interface CustomerDetails {
  reference: string;
  lastName: string;
  firstName: string | null | undefined;
  companyName: string | null | undefined;
  addressLine: string;
  postcode: string;
  city: string;
  /** E.164 numbers; undefined when the file has no phones column (phones are then kept). */
  phones: string[] | undefined;
  /** [ID-7] Undefined when the file has no such column (the flag is then kept). */
  notEligibleForCutOff: boolean | undefined;
}

export interface ContractDetails {
  reference: string;
  agencyCode: string;
  outOfHoursCoverage: boolean;
  onCallType: string | null;
  individual77: boolean | undefined;
  equipment: Equipment | null | undefined;
  contractualDelay: string | null | undefined;
  contractualDelayMinutes: number | null | undefined;
  /** Undefined when the file has no such column (then kept); null: none. */
  supplyPointRef: string | null | undefined;
  /** The end day (YYYY-MM-DD); undefined when the file has no such column, null: none. */
  endsOn: string | null | undefined;
}

export interface EligibilityLine {
  line: number;
  customer: CustomerDetails;
  contract: ContractDetails;
}

const name = parseText(100);
const address = parseText(200);

/** One line's cells, checked one by one; null when the line has an error. */
export function parseEligibilityRow(row: CsvRow, issues: Issues): EligibilityLine | null {
  const r = new RowReader(row, issues);
  const customer = {
    reference: r.required('customer_ref', parseReference),
    lastName: r.required('last_name', name),
    firstName: r.optional('first_name', name),
    companyName: r.optional('company_name', name),
    addressLine: r.required('address', address),
    postcode: r.required('postcode', parsePostcode),
    city: r.required('city', name),
    phones: emptyAs(r.optional('phones', parsePhoneList), []),
    notEligibleForCutOff: emptyAs(r.optional('not_eligible_for_cut_off', parseYesNo), false),
  };
  const outOfHoursCoverage = r.required('out_of_hours', parseYesNo);
  // Paging needs the type of on-call service; a contract without coverage may leave it empty.
  const onCallType = outOfHoursCoverage
    ? r.required('on_call_type', parseOnCallType)
    : r.optional('on_call_type', parseOnCallType);
  const contractualDelay = r.optional('contractual_delay', parseText(100));
  const explicitMinutes = r.optional('contractual_delay_minutes', parsePositiveMinutes);
  const contract = {
    reference: r.required('contract_ref', parseReference),
    agencyCode: r.required('agency', parseReference),
    outOfHoursCoverage,
    onCallType: onCallType ?? null,
    individual77: emptyAs(r.optional('individual_7_7', parseYesNo), false),
    equipment: r.optional('equipment', parseEquipment),
    contractualDelay,
    contractualDelayMinutes: delayMinutes(explicitMinutes, contractualDelay),
    supplyPointRef: r.optional('supply_point_ref', parseReference),
    endsOn: r.optional('ends_on', parseLocalDate),
  };
  if (!r.valid) return null;
  return {
    line: row.line,
    customer: customer as CustomerDetails,
    contract: contract as ContractDetails,
  };
}

/** An empty cell means this (no phones, no 7/7 option); a missing column still means "keep". */
function emptyAs<T>(value: T | null | undefined, empty: T): T | undefined {
  return value === null ? empty : value;
}

/** Given minutes, else read from the delay's words when they state a duration. */
function delayMinutes(explicit: number | null | undefined, text: string | null | undefined) {
  if (typeof explicit === 'number') return explicit;
  if (text) return delayMinutesFrom(text);
  return explicit === null || text === null ? null : undefined;
}

export interface CustomerGroup {
  customer: CustomerDetails;
  /** Line of the customer's first contract. */
  line: number;
  contracts: Array<{ line: number; contract: ContractDetails }>;
}

const CUSTOMER_FIELDS = [
  ['lastName', 'last_name'],
  ['firstName', 'first_name'],
  ['companyName', 'company_name'],
  ['addressLine', 'address'],
  ['postcode', 'postcode'],
  ['city', 'city'],
  ['notEligibleForCutOff', 'not_eligible_for_cut_off'],
] as const;

/**
 * Gathers the lines by customer. A customer whose details differ from one line to the next is an
 * error on the later line, naming the earlier one.
 */
export function groupByCustomer(
  lines: readonly EligibilityLine[],
  issues: Issues,
): Map<string, CustomerGroup> {
  const groups = new Map<string, CustomerGroup>();
  for (const { line, customer, contract } of lines) {
    const group = groups.get(customer.reference);
    if (!group) {
      groups.set(customer.reference, { customer, line, contracts: [{ line, contract }] });
      continue;
    }
    const differing = CUSTOMER_FIELDS.find(
      ([key]) => (group.customer[key] ?? null) !== (customer[key] ?? null),
    );
    if (differing)
      issues.error(
        line,
        differing[1],
        `customer "${customer.reference}" has "${customer[differing[0]] ?? ''}" here but "${group.customer[differing[0]] ?? ''}" on line ${group.line}`,
      );
    else if (!sameSet(group.customer.phones, customer.phones))
      issues.error(
        line,
        'phones',
        `customer "${customer.reference}" has other phone numbers here than on line ${group.line}`,
      );
    else group.contracts.push({ line, contract });
  }
  return groups;
}

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((n) => b.includes(n));
}
