import type { Db } from '../platform/db/client.js';

export interface CustomerMatch {
  id: string;
  reference: string;
  lastName: string;
  firstName: string | null;
  postcode: string;
  city: string;
}

/** Every customer having this number (a shared line can match several). Uses customer_phones_e164_idx. */
export async function findCustomersByPhone(db: Db, e164: string, limit = 10): Promise<CustomerMatch[]> {
  return db.$queryRaw<CustomerMatch[]>`
    SELECT c.id, c.reference, c.last_name AS "lastName", c.first_name AS "firstName", c.postcode, c.city
    FROM customer_phones p JOIN customers c ON c.id = p.customer_id
    WHERE p.e164 = ${e164} AND c.departed_at IS NULL
    ORDER BY c.reference
    LIMIT ${limit}`;
}
