import { getDMMF } from '@prisma/get-dmmf';
import type pg from 'pg';

// Drift between schema.prisma and prisma/migrations, found without Prisma's schema engine: the
// database a schema implies (read from Prisma's DMMF) and the database the migrations built (read
// from pg_catalog) are both reduced to one comparable shape, then compared item by item.
//
// Names of primary keys and indexes are compared (they follow Prisma's conventions, or the
// schema's `map:`), so a hand-written migration that named one differently is caught before a
// later `prisma migrate diff` tries to rename it. Foreign keys are compared by columns, target and
// actions but not by name: the DMMF does not expose `@relation(map:)`.

export interface Shape {
  /** enum name -> values, in order */
  enums: Record<string, string[]>;
  tables: Record<string, TableShape>;
  /** "appointments.appointments_technician_no_overlap": exclusion constraints, sorted. */
  exclusions: string[];
}

/**
 * Constraints schema.prisma cannot express, added by hand at the end of a migration (its comment
 * says why). The schema side expects exactly these, so a migration that loses one is drift too.
 */
export const HAND_WRITTEN_EXCLUSIONS = ['appointments.appointments_technician_no_overlap'];

export interface TableShape {
  columns: Record<string, ColumnShape>;
  /** "unique customers_reference_key (reference)", "index cases_status_due_at_idx (status, due_at)" */
  indexes: string[];
  /** "(customer_id) -> customers(id) on delete restrict on update cascade" */
  foreignKeys: string[];
}

export interface ColumnShape {
  /** as PostgreSQL's format_type() spells it, e.g. "timestamp(3) with time zone", "text[]" */
  type: string;
  nullable: boolean;
  /** the default expression, normalised; null when the database supplies none */
  default: string | null;
}

type Document = Exclude<Awaited<ReturnType<typeof getDMMF>>, { reason: string }>;
type Datamodel = Document['datamodel'];
type Model = Datamodel['models'][number];
type Field = Model['fields'][number];

// ---------------------------------------------------------------------------------------------
// The schema side

/** Prisma's column type for a scalar without @db.*, on PostgreSQL. */
const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Boolean: 'boolean',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** @db.* native types: format_type's base name; "%" is where the arguments go. */
const NATIVE_TYPES: Record<string, string> = {
  Text: 'text',
  Char: 'character%',
  VarChar: 'character varying%',
  Bit: 'bit%',
  VarBit: 'bit varying%',
  Uuid: 'uuid',
  Xml: 'xml',
  Inet: 'inet',
  Citext: 'citext',
  Boolean: 'boolean',
  Integer: 'integer',
  SmallInt: 'smallint',
  BigInt: 'bigint',
  Oid: 'oid',
  Real: 'real',
  DoublePrecision: 'double precision',
  Decimal: 'numeric%',
  Money: 'money',
  Date: 'date',
  Timestamp: 'timestamp% without time zone',
  Timestamptz: 'timestamp% with time zone',
  Time: 'time% without time zone',
  Timetz: 'time% with time zone',
  Json: 'json',
  JsonB: 'jsonb',
  ByteA: 'bytea',
};

const ON_DELETE_DEFAULT = (required: boolean) => (required ? 'restrict' : 'setnull');
const ON_UPDATE_DEFAULT = 'cascade';

/** Prisma's default constraint names, truncated to PostgreSQL's 63 characters the way Prisma does. */
const defaultName = (table: string, columns: string[], suffix: string) =>
  `${[table, ...columns].join('_').slice(0, 63 - suffix.length)}${suffix}`;

export async function shapeOfSchema(schemaText: string): Promise<Shape> {
  const result = await getDMMF({ datamodel: schemaText });
  if ('reason' in result)
    throw new Error(`schema.prisma does not parse: ${result.reason} ${result.error?.message ?? ''}`);
  const { datamodel } = result;

  const enumName = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  // An enum default names the value as the schema spells it; the database stores its @map.
  const enumValue = (enumType: string, value: string) =>
    datamodel.enums.find((e) => e.name === enumType)?.values.find((v) => v.name === value)?.dbName ?? value;
  const enums = Object.fromEntries(
    datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]),
  );
  const modelByName = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableOf = (model: Model) => model.dbName ?? model.name;
  const columnOf = (model: Model, fieldName: string) =>
    model.fields.find((f) => f.name === fieldName)?.dbName ?? fieldName;

  const tables: Record<string, TableShape> = {};
  for (const model of datamodel.models) {
    const table = tableOf(model);
    const shape: TableShape = { columns: {}, indexes: [], foreignKeys: [] };
    for (const field of model.fields) {
      if (field.kind === 'object') {
        const from = field.relationFromFields ?? [];
        if (field.isList && from.length === 0 && isImplicitManyToMany(field, modelByName))
          throw new Error(
            `${model.name}.${field.name}: implicit many-to-many is not handled by schema-drift.ts`,
          );
        if (from.length === 0) continue; // the other side of a relation holds the foreign key
        const target = modelByName.get(field.type)!;
        const onDelete = (field.relationOnDelete ?? ON_DELETE_DEFAULT(field.isRequired)).toLowerCase();
        const onUpdate = (field.relationOnUpdate ?? ON_UPDATE_DEFAULT).toLowerCase();
        shape.foreignKeys.push(
          `(${from.map((f) => columnOf(model, f)).join(', ')}) -> ${tableOf(target)}(${(field.relationToFields ?? []).map((f) => columnOf(target, f)).join(', ')}) on delete ${onDelete} on update ${onUpdate}`,
        );
        continue;
      }
      if (field.kind !== 'scalar' && field.kind !== 'enum') continue;
      shape.columns[field.dbName ?? field.name] = {
        type: columnType(field, enumName),
        nullable: !field.isRequired || field.isList,
        default:
          field.kind === 'enum' && typeof field.default === 'string'
            ? enumValue(field.type, field.default)
            : schemaDefault(field),
      };
    }
    for (const index of datamodel.indexes.filter((i) => i.model === model.name)) {
      const columns = index.fields.map((f) => columnOf(model, f.name));
      const [kind, suffix] =
        index.type === 'id'
          ? ['primary', '_pkey']
          : index.type === 'unique'
            ? ['unique', '_key']
            : ['index', '_idx'];
      const name =
        index.dbName ??
        (kind === 'primary' ? defaultName(table, [], suffix) : defaultName(table, columns, suffix));
      const keys = index.fields.map(
        (f) => `${columnOf(model, f.name)}${f.sortOrder === 'desc' ? ' desc' : ''}`,
      );
      shape.indexes.push(
        `${kind} ${name} (${keys.join(', ')}) using ${(index.algorithm ?? 'btree').toLowerCase()}`,
      );
    }
    shape.indexes.sort();
    shape.foreignKeys.sort();
    tables[table] = shape;
  }
  return { enums, tables, exclusions: [...HAND_WRITTEN_EXCLUSIONS].sort() };
}

function isImplicitManyToMany(field: Field, models: Map<string, Model>): boolean {
  const other = models
    .get(field.type)
    ?.fields.find((f) => f.relationName === field.relationName && f !== field);
  return other?.isList === true && (other.relationFromFields ?? []).length === 0;
}

function columnType(field: Field, enumName: Map<string, string>): string {
  const list = field.isList ? '[]' : '';
  if (field.kind === 'enum') return `${enumName.get(field.type) ?? field.type}${list}`;
  const native = field.nativeType;
  if (!native) {
    const type = SCALAR_TYPES[field.type];
    if (!type) throw new Error(`${field.name}: scalar type ${field.type} is not mapped in schema-drift.ts`);
    return `${type}${list}`;
  }
  const [name, args] = native;
  const pattern = NATIVE_TYPES[name];
  if (!pattern) throw new Error(`${field.name}: native type @db.${name} is not mapped in schema-drift.ts`);
  return `${pattern.replace('%', args.length ? `(${args.join(',')})` : '')}${list}`;
}

/** The default the database should hold, in the form normaliseDbDefault() gives. */
function schemaDefault(field: Field): string | null {
  if (!field.hasDefaultValue || field.default === undefined || field.default === null) return null;
  const value: unknown = field.default;
  if (Array.isArray(value))
    return `ARRAY[${value.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}]`;
  if (typeof value === 'object') {
    const fn = value as { name: string; args: unknown[] };
    if (fn.name === 'now') return 'CURRENT_TIMESTAMP';
    if (fn.name === 'autoincrement') return 'autoincrement()';
    if (fn.name === 'dbgenerated') return String(fn.args[0]);
    return null; // uuid(), cuid(), nanoid(), ulid(): filled in by Prisma Client, not the database
  }
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// The database side

const FK_ACTIONS: Record<string, string> = {
  a: 'noaction',
  r: 'restrict',
  c: 'cascade',
  n: 'setnull',
  d: 'setdefault',
};

/** `'FR'::text` -> `FR`, `'{}'::jsonb` -> `{}`, `nextval('cases_number_seq'::regclass)` -> `autoincrement()` */
export function normaliseDbDefault(expression: string | null): string | null {
  if (expression === null) return null;
  if (/^nextval\(/.test(expression)) return 'autoincrement()';
  const uncast = expression.replace(/::(?:"[^"]+"|[a-z_][a-z0-9_ ]*(?:\(\d+(?:,\d+)?\))?)(?:\[\])?/gi, '');
  const literal = /^'((?:[^']|'')*)'$/.exec(uncast);
  return literal ? literal[1]!.replace(/''/g, "'") : uncast;
}

export async function shapeOfDatabase(client: pg.Client, schema = 'public'): Promise<Shape> {
  const enums: Record<string, string[]> = {};
  const enumRows = await client.query<{ name: string; value: string }>(
    `SELECT t.typname AS name, e.enumlabel AS value
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = $1 ORDER BY t.typname, e.enumsortorder`,
    [schema],
  );
  for (const row of enumRows.rows) enums[row.name] = [...(enums[row.name] ?? []), row.value];

  const tables: Record<string, TableShape> = {};
  const tableRows = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'`,
    [schema],
  );
  for (const row of tableRows.rows) tables[row.name] = { columns: {}, indexes: [], foreignKeys: [] };

  const columnRows = await client.query<{
    table: string;
    column: string;
    type: string;
    not_null: boolean;
    default: string | null;
  }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
    [schema],
  );
  for (const row of columnRows.rows) {
    const table = tables[row.table];
    if (!table) continue;
    table.columns[row.column] = {
      type: row.type.replace(/"/g, ''),
      nullable: !row.not_null,
      default: normaliseDbDefault(row.default),
    };
  }

  const indexRows = await client.query<{
    table: string;
    name: string;
    method: string;
    is_primary: boolean;
    is_unique: boolean;
    keys: string[];
    partial: boolean;
  }>(
    `SELECT t.relname AS table, i.relname AS name, am.amname AS method, x.indisprimary AS is_primary,
            x.indisunique AS is_unique, x.indpred IS NOT NULL AS partial,
            ARRAY(SELECT CASE WHEN k.attnum = 0 THEN '<expression>' ELSE a.attname::text END
                         || CASE WHEN x.indoption[k.ord - 1] & 1 = 1 THEN ' desc' ELSE '' END
                  FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                  ORDER BY k.ord) AS keys
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_am am ON am.oid = i.relam JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = $1`,
    [schema],
  );
  for (const row of indexRows.rows) {
    const kind = row.is_primary ? 'primary' : row.is_unique ? 'unique' : 'index';
    const where = row.partial ? ' where <predicate>' : '';
    tables[row.table]?.indexes.push(
      `${kind} ${row.name} (${row.keys.join(', ')}) using ${row.method}${where}`,
    );
  }

  const fkRows = await client.query<{
    table: string;
    columns: string[];
    ref_table: string;
    ref_columns: string[];
    on_delete: string;
    on_update: string;
  }>(
    `SELECT t.relname AS table, r.relname AS ref_table, c.confdeltype AS on_delete, c.confupdtype AS on_update,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE c.contype = 'f' AND n.nspname = $1`,
    [schema],
  );
  for (const row of fkRows.rows) {
    tables[row.table]?.foreignKeys.push(
      `(${row.columns.join(', ')}) -> ${row.ref_table}(${row.ref_columns.join(', ')}) on delete ${FK_ACTIONS[row.on_delete]} on update ${FK_ACTIONS[row.on_update]}`,
    );
  }
  for (const table of Object.values(tables)) {
    table.indexes.sort();
    table.foreignKeys.sort();
  }
  const exclusionRows = await client.query<{ table: string; name: string }>(
    `SELECT t.relname AS table, c.conname AS name
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE c.contype = 'x' AND n.nspname = $1`,
    [schema],
  );
  const exclusions = exclusionRows.rows.map((r) => `${r.table}.${r.name}`).sort();
  // The index behind an exclusion constraint is the constraint's, compared as such.
  for (const { table, name } of exclusionRows.rows) {
    const shape = tables[table];
    if (shape) shape.indexes = shape.indexes.filter((i) => !i.startsWith(`index ${name} `));
  }
  return { enums, tables, exclusions };
}

// ---------------------------------------------------------------------------------------------
// The comparison

const spell = (column: ColumnShape) =>
  `${column.type} ${column.nullable ? 'null' : 'not null'}${column.default === null ? '' : ` default ${column.default}`}`;

/** Every difference, in words a developer can act on; empty when schema and database agree. */
export function compareShapes(schema: Shape, database: Shape): string[] {
  const problems: string[] = [];
  const onlyIn = <T>(a: Record<string, T>, b: Record<string, T>) => Object.keys(a).filter((k) => !(k in b));

  for (const name of onlyIn(schema.enums, database.enums))
    problems.push(`enum ${name}: in schema.prisma, missing from the migrations`);
  for (const name of onlyIn(database.enums, schema.enums))
    problems.push(`enum ${name}: in the migrations, not in schema.prisma`);
  for (const [name, values] of Object.entries(schema.enums)) {
    const actual = database.enums[name];
    if (actual && actual.join(',') !== values.join(','))
      problems.push(
        `enum ${name}: schema.prisma has [${values.join(', ')}], the migrations [${actual.join(', ')}]`,
      );
  }

  for (const name of onlyIn(schema.tables, database.tables))
    problems.push(`table ${name}: in schema.prisma, missing from the migrations`);
  for (const name of onlyIn(database.tables, schema.tables))
    problems.push(`table ${name}: in the migrations, not in schema.prisma`);
  for (const [name, expected] of Object.entries(schema.tables)) {
    const actual = database.tables[name];
    if (actual) problems.push(...compareTables(name, expected, actual));
  }
  for (const name of schema.exclusions.filter((x) => !database.exclusions.includes(x)))
    problems.push(
      `exclusion constraint ${name}: expected by HAND_WRITTEN_EXCLUSIONS, missing from the migrations`,
    );
  for (const name of database.exclusions.filter((x) => !schema.exclusions.includes(x)))
    problems.push(`exclusion constraint ${name}: in the migrations, not in HAND_WRITTEN_EXCLUSIONS`);
  return problems;
}

function compareTables(table: string, schema: TableShape, database: TableShape): string[] {
  const problems: string[] = [];
  for (const [column, expected] of Object.entries(schema.columns)) {
    const actual = database.columns[column];
    if (!actual) problems.push(`${table}.${column}: in schema.prisma, missing from the migrations`);
    else if (spell(actual) !== spell(expected))
      problems.push(
        `${table}.${column}: schema.prisma says ${spell(expected)}, the migrations ${spell(actual)}`,
      );
  }
  for (const column of Object.keys(database.columns))
    if (!(column in schema.columns))
      problems.push(`${table}.${column}: in the migrations, not in schema.prisma`);
  const compareLists = (what: string, expected: string[], actual: string[]) => {
    for (const item of expected)
      if (!actual.includes(item))
        problems.push(`${table}: ${what}${item} in schema.prisma, missing from the migrations`);
    for (const item of actual)
      if (!expected.includes(item))
        problems.push(`${table}: ${what}${item} in the migrations, not in schema.prisma`);
  };
  compareLists('', schema.indexes, database.indexes);
  compareLists('foreign key ', schema.foreignKeys, database.foreignKeys);
  return problems;
}

/** The whole check: the schema text against the database the client is connected to. */
export async function findDrift(schemaText: string, client: pg.Client): Promise<string[]> {
  return compareShapes(await shapeOfSchema(schemaText), await shapeOfDatabase(client));
}
