import type * as DMMF from '@prisma/dmmf';
import { getDMMF } from '@prisma/get-dmmf';
import type { Client } from 'pg';

// The database shape a Prisma schema implies, and the shape a migrated database has, in one
// comparable form: tables with their columns (type, nullability, default), keys, indexes and
// foreign keys, and enums with their values.

export interface Shape {
  enums: Record<string, string[]>;
  tables: Record<string, TableShape>;
}

export interface TableShape {
  columns: Record<string, { type: string; nullable: boolean; hasDefault: boolean }>;
  /** "pk(a)", "unique(a,b)", "index(a)" */
  indexes: string[];
  /** "col,col -> table(col,col) on delete X" */
  foreignKeys: string[];
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'int4',
  BigInt: 'int8',
  Boolean: 'bool',
  DateTime: 'timestamp(3)',
  Json: 'jsonb',
  Float: 'float8',
  Decimal: 'numeric',
  Bytes: 'bytea',
};

const NATIVE_TYPES: Record<string, string> = {
  Uuid: 'uuid',
  SmallInt: 'int2',
  Timestamptz: 'timestamptz(3)',
  Date: 'date',
  Text: 'text',
};

export async function shapeOfSchema(schemaText: string): Promise<Shape> {
  const result = await getDMMF({ datamodel: schemaText });
  if ('reason' in result) throw new Error(`schema does not parse: ${result.reason}`);
  const { datamodel } = result;
  const enums = Object.fromEntries(
    datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]),
  );
  const tables: Record<string, TableShape> = {};
  const tableOf = new Map(datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  for (const model of datamodel.models) {
    const column = (field: string) => {
      const f = model.fields.find((x) => x.name === field);
      return f?.dbName ?? field;
    };
    const table: TableShape = { columns: {}, indexes: [], foreignKeys: [] };
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (field.relationFromFields && field.relationFromFields.length > 0) {
          const target = datamodel.models.find((m) => m.name === field.type)!;
          const targetColumn = (name: string) => target.fields.find((x) => x.name === name)?.dbName ?? name;
          const onDelete = field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull');
          table.foreignKeys.push(
            `${field.relationFromFields.map(column).join(',')} -> ${tableOf.get(field.type)}(${(field.relationToFields ?? []).map(targetColumn).join(',')}) on delete ${onDelete.toLowerCase()}`,
          );
        }
        continue;
      }
      table.columns[field.dbName ?? field.name] = {
        type: columnType(field),
        nullable: !field.isRequired,
        hasDefault: field.hasDefaultValue,
      };
    }
    for (const index of datamodel.indexes.filter((i) => i.model === model.name)) {
      const kind = index.type === 'id' ? 'pk' : index.type === 'unique' ? 'unique' : 'index';
      table.indexes.push(`${kind}(${index.fields.map((f) => column(f.name)).join(',')})`);
    }
    table.indexes.sort();
    table.foreignKeys.sort();
    tables[model.dbName ?? model.name] = table;
  }
  return { enums, tables };
}

function columnType(field: DMMF.Field): string {
  if (field.kind === 'enum') return field.type;
  const native = field.nativeType?.[0];
  if (native) {
    const mapped = NATIVE_TYPES[native];
    if (!mapped) throw new Error(`native type @db.${native} is not mapped in schema-shape.ts`);
    return mapped;
  }
  return SCALAR_TYPES[field.type] ?? field.type;
}

const DELETE_RULES: Record<string, string> = {
  a: 'noaction',
  r: 'restrict',
  c: 'cascade',
  n: 'setnull',
  d: 'setdefault',
};

export async function shapeOfDatabase(pg: Client): Promise<Shape> {
  const enumRows = await pg.query<{ name: string; value: string }>(
    `SELECT t.typname AS name, e.enumlabel AS value FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
     JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`,
  );
  const enums: Record<string, string[]> = {};
  for (const row of enumRows.rows) {
    enums[row.name] = [...(enums[row.name] ?? []), row.value];
  }

  const columnRows = await pg.query<{
    table_name: string;
    column_name: string;
    udt_name: string;
    is_nullable: string;
    column_default: string | null;
    datetime_precision: number | null;
  }>(
    `SELECT table_name, column_name, udt_name, is_nullable, column_default, datetime_precision FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, ordinal_position`,
  );
  const tables: Record<string, TableShape> = {};
  for (const row of columnRows.rows) {
    const table = tables[row.table_name] ?? { columns: {}, indexes: [], foreignKeys: [] };
    tables[row.table_name] = table;
    const type =
      row.udt_name === 'timestamptz' || row.udt_name === 'timestamp'
        ? `${row.udt_name}(${row.datetime_precision})`
        : row.udt_name;
    table.columns[row.column_name] = {
      type,
      nullable: row.is_nullable === 'YES',
      hasDefault: row.column_default !== null,
    };
  }

  const indexRows = await pg.query<{
    table_name: string;
    is_primary: boolean;
    is_unique: boolean;
    columns: string[];
  }>(
    `SELECT t.relname AS table_name, i.indisprimary AS is_primary, i.indisunique AS is_unique,
            array_agg(a.attname::text ORDER BY k.ord) AS columns
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
     GROUP BY t.relname, i.indexrelid, i.indisprimary, i.indisunique`,
  );
  for (const row of indexRows.rows) {
    const kind = row.is_primary ? 'pk' : row.is_unique ? 'unique' : 'index';
    tables[row.table_name]?.indexes.push(`${kind}(${row.columns.join(',')})`);
  }

  const fkRows = await pg.query<{
    table_name: string;
    columns: string[];
    ref_table: string;
    ref_columns: string[];
    on_delete: string;
  }>(
    `SELECT t.relname AS table_name, r.relname AS ref_table, c.confdeltype AS on_delete,
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(n, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS columns,
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(n, ord) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS ref_columns
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  for (const row of fkRows.rows) {
    tables[row.table_name]?.foreignKeys.push(
      `${row.columns.join(',')} -> ${row.ref_table}(${row.ref_columns.join(',')}) on delete ${DELETE_RULES[row.on_delete]}`,
    );
  }
  for (const table of Object.values(tables)) {
    table.indexes.sort();
    table.foreignKeys.sort();
  }
  return { enums, tables };
}

/** Every difference, in words a developer can act on; empty when the two agree. */
export function compareShapes(schema: Shape, database: Shape): string[] {
  const problems: string[] = [];
  for (const [name, values] of Object.entries(schema.enums)) {
    const actual = database.enums[name];
    if (!actual) problems.push(`enum ${name}: in schema.prisma, missing from the migrations`);
    else if (actual.join(',') !== values.join(','))
      problems.push(`enum ${name}: schema has [${values}], database has [${actual}]`);
  }
  for (const name of Object.keys(database.enums))
    if (!schema.enums[name]) problems.push(`enum ${name}: in the migrations, not in schema.prisma`);

  for (const [name, expected] of Object.entries(schema.tables)) {
    const actual = database.tables[name];
    if (!actual) {
      problems.push(`table ${name}: in schema.prisma, missing from the migrations`);
      continue;
    }
    for (const [column, shape] of Object.entries(expected.columns)) {
      const got = actual.columns[column];
      if (!got) problems.push(`${name}.${column}: in schema.prisma, missing from the migrations`);
      else if (JSON.stringify(got) !== JSON.stringify(shape))
        problems.push(
          `${name}.${column}: schema wants ${JSON.stringify(shape)}, database has ${JSON.stringify(got)}`,
        );
    }
    for (const column of Object.keys(actual.columns))
      if (!expected.columns[column])
        problems.push(`${name}.${column}: in the migrations, not in schema.prisma`);
    for (const index of expected.indexes)
      if (!actual.indexes.includes(index)) problems.push(`${name}: ${index} missing from the migrations`);
    for (const index of actual.indexes)
      if (!expected.indexes.includes(index))
        problems.push(`${name}: ${index} in the migrations, not in schema.prisma`);
    for (const fk of expected.foreignKeys)
      if (!actual.foreignKeys.includes(fk))
        problems.push(`${name}: foreign key ${fk} missing from the migrations`);
    for (const fk of actual.foreignKeys)
      if (!expected.foreignKeys.includes(fk))
        problems.push(`${name}: foreign key ${fk} in the migrations, not in schema.prisma`);
  }
  for (const name of Object.keys(database.tables))
    if (!schema.tables[name]) problems.push(`table ${name}: in the migrations, not in schema.prisma`);
  return problems;
}
