import type { Db } from '../platform/db/client.js';
import { groupedPerDb } from '../platform/db/grouped.js';
import { rows, sql } from '../platform/db/statements.js';

// The eligibility check's read, as the caller waits at the menu: the customer's current contract,
// covered ones first, with the address it serves. A burst's callers are read together, one
// statement for all those that come while the previous one is in PostgreSQL (issue 24).

export interface CurrentContract {
  id: string;
  outOfHoursCoverage: boolean;
  agencyId: string;
  contractualDelay: string | null;
  addressLine: string;
  postcode: string;
  city: string;
}

type Ask = { customerId: string; at: Date };

export function currentContract(db: Db, customerId: string, at: Date): Promise<CurrentContract | undefined> {
  return readContracts(db, { customerId, at });
}

const readContracts = groupedPerDb(
  async (db, asks: Ask[]) => {
    const input = asks.map((a) => ({ customer_id: a.customerId, at: a.at }));
    const found = await rows<CurrentContract & { customerId: string }>(
      db,
      sql`
        SELECT i.customer_id AS "customerId", k.*
        FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS i(customer_id uuid, at timestamptz)
        CROSS JOIN LATERAL (
          SELECT c.id, c.out_of_hours_coverage AS "outOfHoursCoverage", c.agency_id AS "agencyId",
                 c.contractual_delay AS "contractualDelay",
                 CASE WHEN sp.id IS NULL THEN cu.address_line ELSE sp.address_line END AS "addressLine",
                 CASE WHEN sp.id IS NULL THEN cu.postcode ELSE sp.postcode END AS postcode,
                 CASE WHEN sp.id IS NULL THEN cu.city ELSE sp.city END AS city
          FROM contracts c
          JOIN customers cu ON cu.id = c.customer_id
          LEFT JOIN supply_points sp ON sp.id = c.supply_point_id
          WHERE c.customer_id = i.customer_id
            AND (c.ends_on IS NULL OR c.ends_on >= i.at)
            AND (c.starts_on IS NULL OR c.starts_on <= i.at)
          ORDER BY c.out_of_hours_coverage DESC
          LIMIT 1
        ) k`,
    );
    return new Map(found.map(({ customerId, ...contract }) => [customerId, contract]));
  },
  // PostgreSQL answers uuids in lower case.
  (ask) => ask.customerId.toLowerCase(),
);
