import type { PagingDeps } from './paging.deps.js';

// [issue 25] A page's call or SMS that a worker would send late (it was stuck, or its worker died)
// goes out only while the page still wants it: not once someone took the page, nobody can be
// reached any more, the page was cancelled, or the regional manager took over from the technician.

export async function obsoletePageMessage(
  deps: Pick<PagingDeps, 'db'>,
  messageId: string,
): Promise<string | null> {
  const attempt = await deps.db.pageAttempt.findFirst({
    where: { OR: [{ callMessageId: messageId }, { smsMessageId: messageId }] },
    select: { target: true, page: { select: { status: true, escalatedAt: true } } },
  });
  if (!attempt) return null;
  const { page } = attempt;
  if (page.status === 'ACKNOWLEDGED') return 'page already taken';
  if (page.status === 'UNREACHED') return 'page given up';
  if (page.status === 'CANCELLED') return 'page cancelled';
  if (attempt.target === 'TECHNICIAN' && page.escalatedAt) return 'escalated to the regional manager';
  return null;
}
