import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import type { Locale } from '../generated/prisma/enums.js';

// One Handlebars environment; every template compiled once at start-up in strict mode, so a
// missing variable throws instead of leaving a blank in a customer's message.

export const LOCALES: readonly Locale[] = ['fr', 'en'];
export const DEFAULT_LOCALE: Locale = 'fr';

export interface Templates {
  render(key: string, locale: Locale, vars?: Record<string, unknown>): string;
  has(key: string, locale: Locale): boolean;
  keys(locale: Locale): string[];
  /** The template's text, for the checks (templates:check, the console's preview). */
  source(key: string, locale: Locale): string | undefined;
}

export class MissingTemplateError extends Error {}

export async function loadTemplates(root: string): Promise<Templates> {
  const env = Handlebars.create();
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  const sources = new Map<string, string>();
  for (const locale of LOCALES) {
    const dir = join(root, locale);
    for (const file of await listFiles(dir)) {
      if (!file.endsWith('.hbs')) continue;
      const key = relative(dir, file)
        .replace(/\\/g, '/')
        .replace(/\.hbs$/, '');
      const source = (await readFile(file, 'utf8')).replace(/\n$/, '');
      sources.set(`${locale}:${key}`, source);
      compiled.set(
        `${locale}:${key}`,
        env.compile(source, { strict: true, noEscape: !key.endsWith('.html') }),
      );
    }
  }
  return {
    render(key, locale, vars = {}) {
      const template = compiled.get(`${locale}:${key}`) ?? compiled.get(`${DEFAULT_LOCALE}:${key}`);
      if (!template)
        throw new MissingTemplateError(`no template "${key}" in ${locale} nor ${DEFAULT_LOCALE}`);
      return template(vars).trim();
    },
    has(key, locale) {
      return compiled.has(`${locale}:${key}`);
    },
    source(key, locale) {
      return sources.get(`${locale}:${key}`);
    },
    keys(locale) {
      return [...compiled.keys()]
        .filter((k) => k.startsWith(`${locale}:`))
        .map((k) => k.slice(locale.length + 1))
        .sort();
    },
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? listFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]),
    ),
  );
  return nested.flat();
}
