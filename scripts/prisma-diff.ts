// Writes the SQL of a new migration with Prisma's own schema engine (its WebAssembly build from
// npm: no engine download, no database), so migrations stay what `prisma migrate dev` would write.
//
//   npx tsx scripts/prisma-diff.ts add_customer_nickname
//       schema.prisma at git HEAD -> schema.prisma in the working tree, written to
//       prisma/migrations/<UTC timestamp>_add_customer_nickname/migration.sql
//   npx tsx scripts/prisma-diff.ts add_customer_nickname --from <git ref>
//       the same, from schema.prisma at another commit
//   npx tsx scripts/prisma-diff.ts --from-empty
//       prints what `prisma migrate diff --from-empty --to-schema prisma/schema.prisma --script` prints
//
// Why the "from" side is a schema and not the migrations folder: diffing from migrations needs a
// shadow database, and the wasm engine cannot introspect PostgreSQL yet (/work/shared/STACK.md).
// test/integration/schema-drift.test.ts proves that the migrations match the committed schema.prisma,
// so the committed schema stands for the migrated database. Hand-written SQL (triggers, data fixes)
// goes below the generated part, with a comment.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as engineModule from '@prisma/schema-engine-wasm/schema_engine_bg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA_PATH = 'prisma/schema.prisma';
const MIGRATIONS_DIR = join(ROOT, 'prisma/migrations');

type Result<T> = { ok: true; value: T } | { ok: false; error: { kind: 'GenericJs'; id: number } };

/**
 * A stand-in for a driver adapter, already in the Result-wrapped form the engine consumes. The
 * engine asks for the server version when it starts; a diff between two schemas needs nothing else,
 * and any other query fails loudly rather than touching a real database.
 */
function offlineAdapterFactory() {
  const errors = new Map<number, unknown>();
  let nextId = 1;
  const fail = (message: string): Result<never> => {
    const id = nextId++;
    errors.set(id, new Error(message));
    return { ok: false, error: { kind: 'GenericJs', id } };
  };
  const errorRegistry = {
    consumeError(id: number) {
      const error = errors.get(id);
      errors.delete(id);
      return { error };
    },
  };
  const connection = {
    provider: 'postgres',
    adapterName: 'offline-diff',
    errorRegistry,
    async queryRaw(query: { sql: string }) {
      if (query.sql.includes('server_version_num'))
        // exists(public), version(), numeric version: PostgreSQL 15, as on these machines.
        return {
          ok: true,
          value: {
            columnNames: ['exists', 'version', 'numeric_version'],
            columnTypes: [5, 7, 0],
            rows: [[true, 'PostgreSQL 15 (offline diff)', 150000]],
          },
        };
      return fail(`offline diff: unexpected query ${query.sql.slice(0, 120)}`);
    },
    executeRaw: async () => fail('offline diff: no database'),
    executeScript: async () => fail('offline diff: no database'),
    startTransaction: async () => fail('offline diff: no database'),
    getConnectionInfo: () => ({ ok: true, value: { schemaName: 'public', supportsRelationJoins: true } }),
    dispose: async () => ({ ok: true, value: undefined }),
  };
  return {
    provider: 'postgres',
    adapterName: 'offline-diff',
    errorRegistry,
    connect: async () => ({ ok: true, value: connection }),
    connectToShadowDb: async () => ({ ok: true, value: connection }),
  };
}

let loaded: Promise<typeof engineModule> | undefined;

// The project's TypeScript lib has no DOM or WebAssembly types; this is the one call used.
interface WasmRuntime {
  instantiate(
    bytes: Uint8Array,
    imports: object,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const wasmRuntime = () => (globalThis as unknown as { WebAssembly: WasmRuntime }).WebAssembly;

/** The package is built for bundlers (it imports a .wasm file): instantiate it by hand for Node. */
function loadEngine(): Promise<typeof engineModule> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = join(
      require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'),
      '..',
      'schema_engine_bg.wasm',
    );
    const { instance } = await wasmRuntime().instantiate(readFileSync(wasmPath), {
      './schema_engine_bg.js': engineModule,
    });
    engineModule.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
    return engineModule;
  })();
  return loaded;
}

/** The SQL taking a database from `from` (a schema text, or null for an empty database) to `to`. */
export async function diffSchemas(from: string | null, to: string): Promise<string> {
  const { SchemaEngine } = await loadEngine();
  const engine = await SchemaEngine.new(
    { datamodels: [['schema.prisma', to]] },
    () => undefined,
    offlineAdapterFactory(),
  );
  try {
    const target = (content: string) => ({
      tag: 'schemaDatamodel' as const,
      files: [{ path: 'schema.prisma', content }],
    });
    const result = await engine.diff({
      from: from === null ? { tag: 'empty' } : target(from),
      to: target(to),
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.stdout ?? '';
  } finally {
    engine.free();
  }
}

function timestamp(now = new Date()): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

async function main(args: string[]): Promise<void> {
  const to = readFileSync(join(ROOT, SCHEMA_PATH), 'utf8');
  if (args.includes('--from-empty')) {
    process.stdout.write(await diffSchemas(null, to));
    return;
  }
  const name = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--from');
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error('usage: tsx scripts/prisma-diff.ts <migration_name in snake_case> [--from <git ref>]');
  }
  const fromIndex = args.indexOf('--from');
  const ref = fromIndex >= 0 ? args[fromIndex + 1] : 'HEAD';
  if (!ref) throw new Error('--from needs a git ref');
  const from = execFileSync('git', ['show', `${ref}:${SCHEMA_PATH}`], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const sql = await diffSchemas(from, to);
  if (sql.includes('This is an empty migration')) {
    console.log('schema.prisma has not changed since that commit: no migration written.');
    return;
  }
  const folder = join(MIGRATIONS_DIR, `${timestamp()}_${name}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'migration.sql'), sql);
  console.log(`wrote ${folder}/migration.sql: review it, then run npm run db:migrate`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
