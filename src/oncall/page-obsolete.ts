import { row, sql } from '../platform/db/statements.js';
import type { PagingDeps } from './paging.deps.js';

// [issue 25] A page's call or SMS that a worker would send late (it was stuck, or its worker died)
// goes out only while the page still wants it: not once someone took the page, nobody can be
// reached any more, the page was cancelled, or the regional manager took over from the technician.

export async function obsoletePageMessage(
  deps: Pick<PagingDeps, 'db'>,
  messageId: string,
): Promise<string | null> {
  // One query before every page call and SMS (both indexed columns).
  const page = await row<{ target: string; status: string; escalatedAt: Date | null }>(
    deps.db,
    sql`
    SELECT a.target::text AS target, p.status::text AS status, p.escalated_at AS "escalatedAt"
    FROM page_attempts a JOIN pages p ON p.id = a.page_id
    WHERE a.call_message_id = ${messageId}::uuid OR a.sms_message_id = ${messageId}::uuid
    LIMIT 1`,
  );
  if (!page) return null;
  if (page.status === 'ACKNOWLEDGED') return 'page already taken';
  if (page.status === 'UNREACHED') return 'page given up';
  if (page.status === 'CANCELLED') return 'page cancelled';
  if (page.target === 'TECHNICIAN' && page.escalatedAt) return 'escalated to the regional manager';
  return null;
}
