import type { ColumnSpec } from '../../imports/csv-reader.js';
import { parseEmail, parseMobile, parseText } from '../../imports/field-parsers.js';
import { type EntityCounts, emptyCounts, type Issues } from '../../imports/import-report.js';
import type { Tx } from '../../imports/importer.js';
import type { RowReader } from '../../imports/row-reader.js';

// Technicians and regional managers are described by columns of the files that name them (rotas,
// the field roster): created from their lines by reference, updated when a line gives other
// details, left empty on further lines of the same person or for a person already known. What
// those files share, so that a person means the same in each.

export interface PersonDetails {
  lastName?: string;
  firstName?: string;
  mobile?: string;
  email?: string;
}

export type NewPerson = Required<Omit<PersonDetails, 'email'>> & { email?: string };

export interface StoredPerson {
  id: string;
  reference: string;
  lastName: string;
  firstName: string;
  mobile: string;
  email: string | null;
  active: boolean;
}

/** What an import reads of a technician or a regional manager on file. */
export const PERSON_SELECT = {
  id: true,
  reference: true,
  lastName: true,
  firstName: true,
  mobile: true,
  email: true,
  active: true,
} as const;

export const PERSON_COLUMNS: readonly ColumnSpec[] = [
  { name: 'last_name', aliases: ['nom'] },
  { name: 'first_name', aliases: ['prenom'] },
  { name: 'mobile', aliases: ['portable', 'telephone_portable', 'mobile_phone'] },
  { name: 'email', aliases: ['courriel'] },
];

const DETAIL_COLUMNS = [
  ['lastName', 'last_name'],
  ['firstName', 'first_name'],
  ['mobile', 'mobile'],
  ['email', 'email'],
] as const;

export interface PersonRules {
  /** "technician", "regional manager": in messages. */
  noun: string;
  personColumn: string;
  /** Said after "is inactive: ", what that means for this file. */
  inactiveConsequence: string;
}

/** One line naming a person. */
export interface PersonLine {
  line: number;
  personRef: string;
  details: PersonDetails;
}

export interface FilePerson {
  details: PersonDetails;
  lines: number[];
}

/** The person columns of a line; a column absent or empty gives undefined (what is stored stays). */
export function readPersonDetails(r: RowReader): PersonDetails {
  return {
    lastName: r.optional('last_name', parseText(100)) ?? undefined,
    firstName: r.optional('first_name', parseText(100)) ?? undefined,
    mobile: r.optional('mobile', parseMobile) ?? undefined,
    email: r.optional('email', parseEmail) ?? undefined,
  };
}

/**
 * Each person's details gathered over their lines, which must agree (an error on the line that
 * differs, naming the first). An unknown person needs last_name, first_name and mobile on one of
 * their lines to be created (else an error on each of their lines); an inactive one is a warning.
 */
export function gatherPeople(
  lines: readonly PersonLine[],
  stored: ReadonlyMap<string, StoredPerson>,
  rules: PersonRules,
  issues: Issues,
): Map<string, FilePerson> {
  const people = new Map<string, FilePerson & { from: Map<string, number> }>();
  for (const l of lines) {
    const person = people.get(l.personRef) ?? { details: {}, from: new Map<string, number>(), lines: [] };
    people.set(l.personRef, person);
    person.lines.push(l.line);
    for (const [key, column] of DETAIL_COLUMNS) {
      const value = l.details[key];
      if (value === undefined) continue;
      const known = person.details[key];
      if (known === undefined) {
        person.details[key] = value;
        person.from.set(key, l.line);
      } else if (known !== value)
        issues.error(
          l.line,
          column,
          `${rules.noun} "${l.personRef}" has "${value}" here but "${known}" on line ${person.from.get(key)}`,
        );
    }
  }
  for (const [reference, person] of people) {
    if (stored.get(reference)?.active === false)
      issues.warn(
        person.lines[0]!,
        rules.personColumn,
        `${rules.noun} "${reference}" is inactive: ${rules.inactiveConsequence}`,
      );
    if (stored.has(reference)) continue;
    const { lastName, firstName, mobile } = person.details;
    if (lastName && firstName && mobile) continue;
    for (const line of person.lines)
      issues.error(
        line,
        rules.personColumn,
        `unknown ${rules.noun} "${reference}": give last_name, first_name and mobile on one of their lines to create them`,
      );
  }
  return people;
}

export interface PeopleChanges<Scope> {
  counts: EntityCounts;
  creates: Array<{ reference: string; scope: Scope; details: NewPerson }>;
  updates: Array<{ id: string; data: PersonDetails }>;
}

/**
 * What writing the people of the applied lines changes: each reference once, with the scope (agency,
 * region) a new person is created in, that of their first applied line.
 */
export function planPeople<Scope>(
  references: Iterable<readonly [reference: string, scope: Scope]>,
  people: ReadonlyMap<string, FilePerson>,
  stored: ReadonlyMap<string, StoredPerson>,
): PeopleChanges<Scope> {
  const changes: PeopleChanges<Scope> = { counts: emptyCounts(), creates: [], updates: [] };
  const seen = new Set<string>();
  for (const [reference, scope] of references) {
    if (seen.has(reference)) continue;
    seen.add(reference);
    const { details } = people.get(reference)!;
    const known = stored.get(reference);
    if (!known) {
      // Complete: a person unknown without these details is an error of gatherPeople.
      changes.creates.push({ reference, scope, details: details as NewPerson });
      changes.counts.created++;
      continue;
    }
    const data = Object.fromEntries(
      DETAIL_COLUMNS.filter(([key]) => details[key] !== undefined && details[key] !== known[key]).map(
        ([key]) => [key, details[key]],
      ),
    ) as PersonDetails;
    if (Object.keys(data).length > 0) {
      changes.updates.push({ id: known.id, data });
      changes.counts.updated++;
    } else changes.counts.unchanged++;
  }
  return changes;
}

/** Writes the changes; the id of every person of the file (and of those stored), by reference. */
export async function writePeople<Scope>(
  tx: Tx,
  changes: PeopleChanges<Scope>,
  stored: ReadonlyMap<string, StoredPerson>,
  write: {
    create(tx: Tx, reference: string, scope: Scope, details: NewPerson): Promise<string>;
    update(tx: Tx, id: string, data: PersonDetails): Promise<void>;
  },
): Promise<Map<string, string>> {
  const ids = new Map([...stored.values()].map((p) => [p.reference, p.id]));
  for (const { reference, scope, details } of changes.creates)
    ids.set(reference, await write.create(tx, reference, scope, details));
  for (const { id, data } of changes.updates) await write.update(tx, id, data);
  return ids;
}
