import { randomUUID } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Equipment } from '../../generated/prisma/enums.js';
import { CUSTOMER_IDENTITY } from '../../identification/customer-identity.js';
import { isMobile } from '../../identification/phone-number.js';
import { cell } from '../../imports/csv-reader.js';
import { emptyCounts } from '../../imports/import-report.js';
import type { ContractChanges } from '../../imports/importer.js';
import {
  type AppliedChanges,
  changedFields,
  type Importer,
  type ImportPlan,
  inChunks,
  isEmpty,
  type Tx,
} from '../../imports/importer.js';
import { localDate } from '../../imports/local-time.js';
import {
  ELIGIBILITY_COLUMNS,
  type EligibilityLine,
  groupByCustomer,
  parseEligibilityRow,
} from './eligibility.rows.js';

// The weekly eligibility file replaces last week's: customers and contracts are upserted by
// reference; contracts that an earlier file covered and this one no longer lists lose
// out-of-hours coverage (nothing is deleted: customers keep their cases and history); each
// listed customer's phones become the file's. The whole file is refused on any error, since
// applying part of a replacement would uncover the contracts of the lines left out.
// The contracts' supply points and end days (optional columns) are what the follow-ups watch:
// the apply reports the contracts newly at a supply point and those newly ended (ContractChanges).

const WRITE_CHUNK = 2000;
/** Below this many, uncovering is never suspicious (a small utility's weekly churn). */
const MAY_ALWAYS_UNCOVER = 3;

interface ContractData {
  customerId: string;
  agencyId: string;
  outOfHoursCoverage: boolean;
  onCallType: string | null;
  individual77?: boolean;
  equipment?: Equipment | null;
  contractualDelay?: string | null;
  contractualDelayMinutes?: number | null;
  supplyPointId?: string | null;
}

async function inWriteChunks<T>(items: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += WRITE_CHUNK) await write(items.slice(i, i + WRITE_CHUNK));
}

export const eligibilityImporter: Importer = {
  kind: 'eligibility',
  columns: ELIGIBILITY_COLUMNS,
  wholeFile: true,

  async plan(tx, rows, { issues, batch, force, maxUncoverPercent, now, zone }): Promise<ImportPlan> {
    const agencies = new Map(
      (await tx.agency.findMany({ select: { id: true, code: true } })).map((a) => [a.code, a.id]),
    );
    const lines: EligibilityLine[] = [];
    const contractLines = new Map<string, number>();
    for (const row of rows) {
      const line = parseEligibilityRow(row, issues);
      // Checked on every line, even one with other errors, so that one report lists them all.
      const agencyCode = cell(row, 'agency');
      if (agencyCode && !agencies.has(agencyCode))
        issues.error(
          row.line,
          'agency',
          `unknown agency "${agencyCode}" (import it with the agencies file first)`,
        );
      const contractRef = cell(row, 'contract_ref');
      const seen = contractRef ? contractLines.get(contractRef) : undefined;
      if (seen !== undefined)
        issues.error(row.line, 'contract_ref', `contract "${contractRef}" is already on line ${seen}`);
      else if (contractRef) contractLines.set(contractRef, row.line);
      if (line && !issues.hasError(row.line)) lines.push(line);
    }
    const groups = groupByCustomer(lines, issues);

    const withHours = new Set(
      (
        await tx.onCallWindow.findMany({
          distinct: ['agencyId', 'onCallType'],
          select: { agencyId: true, onCallType: true },
        })
      ).map((w) => `${w.agencyId}/${w.onCallType}`),
    );
    const warned = new Set<string>();
    for (const group of groups.values())
      for (const { line, contract } of group.contracts) {
        const key = `${agencies.get(contract.agencyCode)}/${contract.onCallType}`;
        if (contract.outOfHoursCoverage && !withHours.has(key) && !warned.has(key)) {
          warned.add(key);
          issues.warn(
            line,
            'on_call_type',
            `agency "${contract.agencyCode}" has no on-call hours for "${contract.onCallType}": its calls are not paged until they are imported`,
          );
        }
      }
    if (issues.errorCount > 0) return { entities: {}, applicable: 0, apply: async () => ({ phones: [] }) };

    // A supply point not (yet) in the register: the contract is imported without it.
    const pointRefs = [
      ...new Set(
        [...groups.values()].flatMap((g) => g.contracts.flatMap((c) => c.contract.supplyPointRef ?? [])),
      ),
    ];
    const supplyPoints = new Map(
      (
        await inChunks(pointRefs, (chunk) =>
          tx.supplyPoint.findMany({
            where: { reference: { in: chunk } },
            select: { id: true, reference: true },
          }),
        )
      ).map((p) => [p.reference, p.id]),
    );
    const today = localDate(now, zone);

    const customerRefs = [...groups.keys()];
    const storedCustomers = new Map(
      (
        await inChunks(customerRefs, (chunk) =>
          tx.customer.findMany({
            where: { reference: { in: chunk } },
            select: {
              id: true,
              ...CUSTOMER_IDENTITY,
              notEligibleForCutOff: true,
              phones: { select: { id: true, e164: true } },
            },
          }),
        )
      ).map((c) => [c.reference, c]),
    );
    const contractRefs = [...groups.values()].flatMap((g) => g.contracts.map((c) => c.contract.reference));
    const storedContracts = new Map(
      (
        await inChunks(contractRefs, (chunk) =>
          tx.contract.findMany({
            where: { reference: { in: chunk } },
            select: {
              id: true,
              reference: true,
              customerId: true,
              agencyId: true,
              outOfHoursCoverage: true,
              onCallType: true,
              individual77: true,
              equipment: true,
              contractualDelay: true,
              contractualDelayMinutes: true,
              supplyPointId: true,
              endsOn: true,
              eligibilityBatch: true,
            },
          }),
        )
      ).map((c) => [c.reference, c]),
    );

    const customers = emptyCounts();
    const contracts = emptyCounts();
    const phones = emptyCounts();
    const newCustomers: Prisma.CustomerCreateManyInput[] = [];
    const customerUpdates: Array<{ id: string; data: Prisma.CustomerUpdateInput }> = [];
    const newPhones: Array<{ customerId: string; e164: string; kind: 'MOBILE' | 'LANDLINE' }> = [];
    const goneExistingPhones: Array<{ id: string; e164: string }> = [];
    const newContracts: Array<
      ContractData & { id: string; reference: string; eligibilityBatch: string; endsOn?: Date | null }
    > = [];
    const contractUpdates: Array<{
      id: string;
      data: Partial<ContractData> & { eligibilityBatch: string; endsOn?: Date | null };
    }> = [];
    const contractChanges: ContractChanges = { ended: [], subscribed: [] };
    const relabelled: string[] = [];
    const phone = (customerId: string, e164: string) => ({
      customerId,
      e164,
      kind: isMobile(e164) ? ('MOBILE' as const) : ('LANDLINE' as const),
    });

    for (const group of groups.values()) {
      const { phones: desiredPhones, reference, ...fields } = group.customer;
      const stored = storedCustomers.get(reference);
      let customerId: string;
      if (!stored) {
        customerId = randomUUID();
        newCustomers.push({
          id: customerId,
          reference,
          ...fields,
          firstName: fields.firstName ?? null,
          companyName: fields.companyName ?? null,
        });
        for (const e164 of desiredPhones ?? []) newPhones.push(phone(customerId, e164));
        customers.created++;
        phones.created += desiredPhones?.length ?? 0;
      } else {
        customerId = stored.id;
        const { phones: _phones, ...storedFields } = stored;
        const changes = changedFields(storedFields, fields);
        let phonesChanged = false;
        if (desiredPhones) {
          const storedNumbers = new Set(stored.phones.map((p) => p.e164));
          for (const e164 of desiredPhones)
            if (!storedNumbers.has(e164)) {
              newPhones.push(phone(customerId, e164));
              phones.created++;
              phonesChanged = true;
            }
          for (const p of stored.phones)
            if (!desiredPhones.includes(p.e164)) {
              goneExistingPhones.push(p);
              phones.removed++;
              phonesChanged = true;
            } else phones.unchanged++;
        }
        if (!isEmpty(changes)) customerUpdates.push({ id: customerId, data: changes });
        if (!isEmpty(changes) || phonesChanged) customers.updated++;
        else customers.unchanged++;
      }

      for (const { line, contract } of group.contracts) {
        let supplyPointId: string | null | undefined;
        if (contract.supplyPointRef) {
          supplyPointId = supplyPoints.get(contract.supplyPointRef);
          if (!supplyPointId)
            issues.warn(
              line,
              'supply_point_ref',
              `unknown supply point "${contract.supplyPointRef}" (import it with the register first): the contract is imported without it`,
            );
        } else supplyPointId = contract.supplyPointRef;
        const endsOn =
          contract.endsOn === undefined ? undefined : contract.endsOn ? dayDate(contract.endsOn) : null;
        const live = !contract.endsOn || contract.endsOn > today;
        const desired: ContractData = {
          customerId,
          agencyId: agencies.get(contract.agencyCode)!,
          outOfHoursCoverage: contract.outOfHoursCoverage,
          onCallType: contract.onCallType,
          individual77: contract.individual77,
          equipment: contract.equipment,
          contractualDelay: contract.contractualDelay,
          contractualDelayMinutes: contract.contractualDelayMinutes,
          supplyPointId,
        };
        const storedContract = storedContracts.get(contract.reference);
        if (!storedContract) {
          const id = randomUUID();
          newContracts.push({
            id,
            reference: contract.reference,
            eligibilityBatch: batch,
            ...withoutUndefined({ ...desired, endsOn }),
          });
          if (supplyPointId && live)
            contractChanges.subscribed.push({
              contractId: id,
              reference: contract.reference,
              customerId,
              supplyPointId,
            });
          contracts.created++;
          continue;
        }
        const changes: Partial<ContractData> & { endsOn?: Date | null } = changedFields(
          storedContract,
          desired,
        );
        const storedEnd = storedContract.endsOn ? isoDay(storedContract.endsOn) : null;
        if (endsOn !== undefined && (endsOn ? isoDay(endsOn) : null) !== storedEnd) {
          changes.endsOn = endsOn;
          if (endsOn) contractChanges.ended.push(storedContract.id);
        }
        if (changes.supplyPointId && live)
          contractChanges.subscribed.push({
            contractId: storedContract.id,
            reference: contract.reference,
            customerId,
            supplyPointId: changes.supplyPointId,
          });
        if (!isEmpty(changes)) {
          contractUpdates.push({ id: storedContract.id, data: { ...changes, eligibilityBatch: batch } });
          contracts.updated++;
        } else {
          // Same terms: still confirmed by this file, which its batch name records.
          if (storedContract.eligibilityBatch !== batch) relabelled.push(storedContract.id);
          contracts.unchanged++;
        }
      }
    }

    // Covered by an earlier eligibility file, absent from this one. Contracts that never came from
    // an eligibility file (no batch) are not this file's to uncover.
    const listed = new Set(contractRefs);
    const uncovered = (
      await tx.contract.findMany({
        where: { outOfHoursCoverage: true, eligibilityBatch: { not: null } },
        select: { id: true, reference: true },
      })
    )
      .filter((c) => !listed.has(c.reference))
      .map((c) => c.id);
    contracts.uncovered = uncovered.length;
    // A truncated or wrong file would leave covered customers without their night service:
    // refuse to uncover more than the allowed share unless told to (a few contracts always may go).
    const covered = await tx.contract.count({
      where: { outOfHoursCoverage: true, eligibilityBatch: { not: null } },
    });
    if (
      !force &&
      uncovered.length > MAY_ALWAYS_UNCOVER &&
      uncovered.length * 100 > maxUncoverPercent * covered
    )
      issues.error(
        1,
        null,
        `this file would remove out-of-hours cover from ${uncovered.length} of the ${covered} covered contracts ` +
          `(more than ${maxUncoverPercent} %): is it complete? If it is, import it again with force ` +
          '(--force, or ?force=true)',
      );

    return {
      entities: { customers, contracts, phones },
      applicable: groups.size,
      async apply(tx: Tx): Promise<AppliedChanges> {
        await inWriteChunks(newCustomers, (data) => tx.customer.createMany({ data }));
        for (const { id, data } of customerUpdates) await tx.customer.update({ where: { id }, data });
        await inWriteChunks(goneExistingPhones, (chunk) =>
          tx.customerPhone.deleteMany({ where: { id: { in: chunk.map((p) => p.id) } } }),
        );
        await inWriteChunks(newPhones, (data) => tx.customerPhone.createMany({ data, skipDuplicates: true }));
        await inWriteChunks(newContracts, (data) => tx.contract.createMany({ data }));
        for (const { id, data } of contractUpdates) await tx.contract.update({ where: { id }, data });
        await inWriteChunks(relabelled, (ids) =>
          tx.contract.updateMany({ where: { id: { in: ids } }, data: { eligibilityBatch: batch } }),
        );
        await inWriteChunks(uncovered, (ids) =>
          tx.contract.updateMany({ where: { id: { in: ids } }, data: { outOfHoursCoverage: false } }),
        );
        return {
          phones: [...new Set([...newPhones, ...goneExistingPhones].map((p) => p.e164))],
          contracts: contractChanges,
        };
      },
    };
  },
};

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const dayDate = (day: string) => new Date(`${day}T00:00:00.000Z`);
const isoDay = (date: Date) => date.toISOString().slice(0, 10);
