import { type Db, poolOf } from './client.js';

// The statements a caller or a page waits for, written as `sql` templates and run as prepared
// statements on the pool under Prisma (issue 24). Prisma's `$queryRaw` costs 0.34 ms of CPU per
// statement, plain `pg` 0.13 and a prepared one 0.08: in a burst of night calls the api's CPU
// is what callers wait for. Each template (call site) gets its own statement name, so every
// connection parses it once.
//
// Values go as `pg` sends them (a Date as a timestamp, an object as JSON, an array as an array);
// cast them in the SQL (`${id}::uuid`). Rows come as `pg` parses them: int8 and numeric as
// strings, timestamps as Dates, json as objects.

export interface Statement {
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

const prepared = new WeakMap<TemplateStringsArray, { name: string; text: string }>();
let count = 0;

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Statement {
  let known = prepared.get(strings);
  if (!known) {
    count += 1;
    known = { name: `hot_${count}`, text: strings.reduce((text, part, i) => `${text}$${i}${part}`) };
    prepared.set(strings, known);
  }
  return { ...known, values };
}

/**
 * A statement whose text is put together from parts (a fragment another module owns): one name,
 * prepared once per connection like a `sql` template. `$1`… in the text are `values` in order.
 */
export function composed(name: string, text: string): (...values: unknown[]) => Statement {
  return (...values) => ({ name, text, values });
}

/** The statement's rows. */
export async function rows<T>(db: Db, statement: Statement): Promise<T[]> {
  const pool = poolOf(db);
  if (!pool) throw new Error('hot-path statements run on a database client made by createDb');
  const result = await pool.query({ name: statement.name, text: statement.text, values: statement.values });
  return result.rows as T[];
}

/** The statement's first row, if any. */
export async function row<T>(db: Db, statement: Statement): Promise<T | undefined> {
  return (await rows<T>(db, statement))[0];
}
