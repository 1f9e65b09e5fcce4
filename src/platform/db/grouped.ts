import type { Db } from './client.js';

// Group commit for the statements many requests or jobs make at once (issue 24): on these machines
// a round trip to PostgreSQL costs more CPU, in the process and in PostgreSQL, than the rows it
// carries. The items asked for while a statement is in flight wait for it, then go together in
// the next one: a lone item goes at once, and under load many items share each statement.

// Rows per statement, at most: a batch stays a short statement.
const GROUP_MAX = 200;

/**
 * `run` once for all the callers that came while the previous run was in flight (one at a time),
 * each handed the result under its key. A key already in the batch waits for the next one, so a
 * message is never claimed twice by one statement (an item never twice in one). When a batch fails (a deadlock, one bad row),
 * its items are run one by one, so that one message's error is never another's.
 */
export function grouped<T, R>(
  run: (items: T[]) => Promise<Map<string, R>>,
  keyOf: (item: T) => string,
): (item: T) => Promise<R | undefined> {
  let waiting: Array<{ item: T; resolve(result: R | undefined): void; reject(err: unknown): void }> = [];
  let busy = false;
  const next = () => {
    if (busy || waiting.length === 0) return;
    const batch: typeof waiting = [];
    const later: typeof waiting = [];
    const keys = new Set<string>();
    for (const w of waiting) {
      const key = keyOf(w.item);
      if (batch.length < GROUP_MAX && !keys.has(key)) {
        keys.add(key);
        batch.push(w);
      } else later.push(w);
    }
    waiting = later;
    busy = true;
    const settle = async (part: typeof waiting): Promise<void> => {
      try {
        const results = await run(part.map((b) => b.item));
        for (const b of part) b.resolve(results.get(keyOf(b.item)));
      } catch (err) {
        if (part.length === 1) part[0]!.reject(err);
        else for (const b of part) await settle([b]);
      }
    };
    settle(batch).finally(() => {
      busy = false;
      next();
    });
  };
  return (item) =>
    new Promise((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      next();
    });
}

/**
 * `grouped` for a statement on a database client: one group per client (the service's; tests and
 * benchmarks make several), made on its first use. `run` gets the client and the batch.
 */
export function groupedPerDb<T, R>(
  run: (db: Db, items: T[]) => Promise<Map<string, R>>,
  keyOf: (item: T) => string,
): (db: Db, item: T) => Promise<R | undefined> {
  const perDb = new WeakMap<Db, (item: T) => Promise<R | undefined>>();
  return (db, item) => {
    let send = perDb.get(db);
    if (!send) {
      send = grouped((items: T[]) => run(db, items), keyOf);
      perDb.set(db, send);
    }
    return send(item);
  };
}
