import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import type { Templates } from '../messaging/templates.js';

// A service line is one file of ivr-flows/, selected by the number the caller dialled.

const ServiceLineSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9-]+$' }),
    kind: Type.Union([Type.Literal('out-of-hours'), Type.Literal('daytime')]),
    locale: Type.Union([Type.Literal('fr'), Type.Literal('en')]),
    numbers: Type.Array(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' }), { minItems: 1 }),
    welcome: Type.String({ description: 'message template key of the greeting' }),
  },
  { additionalProperties: true },
);

export type ServiceLine = Static<typeof ServiceLineSchema>;

export interface ServiceLines {
  byNumber(e164: string | null): ServiceLine | undefined;
  all(): ServiceLine[];
}

export class FlowFileError extends Error {}

export async function loadServiceLines(dir: string, templates: Templates): Promise<ServiceLines> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const lines: ServiceLine[] = [];
  const byNumber = new Map<string, ServiceLine>();
  for (const file of files) {
    const doc: unknown = parseYaml(await readFile(join(dir, file), 'utf8'));
    const errors = [...Value.Errors(ServiceLineSchema, doc)];
    if (errors.length > 0) {
      throw new FlowFileError(`${file}: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
    }
    const line = doc as ServiceLine;
    for (const locale of ['fr', 'en'] as const) {
      if (!templates.has(line.welcome, locale))
        throw new FlowFileError(`${file}: prompt "${line.welcome}" has no ${locale} template`);
    }
    for (const number of line.numbers) {
      const other = byNumber.get(number);
      if (other) throw new FlowFileError(`${file}: number ${number} is already used by line "${other.name}"`);
      byNumber.set(number, line);
    }
    lines.push(line);
  }
  return { byNumber: (e164) => (e164 ? byNumber.get(e164) : undefined), all: () => lines };
}
