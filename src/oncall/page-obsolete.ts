import { groupedPerDb } from '../platform/db/grouped.js';
import { rows, sql } from '../platform/db/statements.js';
import type { PagingDeps } from './paging.deps.js';

// [issue 25] A page's call or SMS that a worker would send late (it was stuck, or its worker died)
// goes out only while the page still wants it: not once someone took the page, nobody can be
// reached any more, the page was cancelled, or the regional manager took over from the technician.

interface PageState {
  target: string;
  status: string;
  escalatedAt: Date | null;
}

export async function obsoletePageMessage(
  deps: Pick<PagingDeps, 'db'>,
  messageId: string,
): Promise<string | null> {
  const page = await readPageStates(deps.db, messageId);
  if (!page) return null;
  if (page.status === 'ACKNOWLEDGED') return 'page already taken';
  if (page.status === 'UNREACHED') return 'page given up';
  if (page.status === 'CANCELLED') return 'page cancelled';
  if (page.target === 'TECHNICIAN' && page.escalatedAt) return 'escalated to the regional manager';
  return null;
}

// Read before every page call and SMS: the sends a worker starts while the previous read is in
// PostgreSQL go together in the next one (a burst of pages is two sends per page), indexed columns.

const readPageStates = groupedPerDb(
  async (db, ids: string[]) => {
    const found = await rows<PageState & { messageId: string }>(
      db,
      sql`
        SELECT m.id AS "messageId", a.target::text AS target, p.status::text AS status,
               p.escalated_at AS "escalatedAt"
        FROM unnest(${ids}::uuid[]) AS m(id)
        JOIN page_attempts a ON a.call_message_id = m.id OR a.sms_message_id = m.id
        JOIN pages p ON p.id = a.page_id`,
    );
    return new Map(found.map(({ messageId, ...state }) => [messageId, state]));
  },
  // PostgreSQL answers uuids in lower case.
  (id) => id.toLowerCase(),
);
