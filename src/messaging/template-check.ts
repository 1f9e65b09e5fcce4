import { readFile } from 'node:fs/promises';
import Handlebars from 'handlebars';
import { SegmentedMessage } from 'sms-segments-calculator';
import { parse as parseYaml } from 'yaml';
import type { Locale } from '../generated/prisma/enums.js';
import { LOCALES, type Templates } from './templates.js';

// Every template rendered, in every locale, with its sample variables (message-templates/
// samples.yaml): a variable a template uses that its sample lacks is an error here, at start-up
// and in tests, never a blank in a customer's message. Handlebars' strict mode does not check the
// arguments of helpers ({{#if x}}), so the template's syntax tree is walked for them too. SMS
// templates also get their encoding and segment count (Twilio's own calculator).

export const MAX_SMS_SEGMENTS = 2;

export interface SmsStats {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  characters: number;
  /** What forces UCS-2 (70 characters a segment instead of 160). */
  nonGsm: string[];
}

export interface TemplateReport {
  key: string;
  locale: Locale;
  errors: string[];
  warnings: string[];
  rendered: string | null;
  sms: SmsStats | null;
}

export type TemplateSamples = Record<string, Record<string, unknown>>;

export function smsStats(text: string): SmsStats {
  const message = new SegmentedMessage(text, 'auto');
  return {
    encoding: message.encodingName === 'UCS-2' ? 'UCS-2' : 'GSM-7',
    segments: message.segmentsCount,
    characters: message.numberOfCharacters,
    nonGsm: [...new Set(message.getNonGsmCharacters())],
  };
}

export function checkTemplates(templates: Templates, samples: TemplateSamples): TemplateReport[] {
  const keys = [...new Set(LOCALES.flatMap((l) => templates.keys(l)))].sort();
  const reports: TemplateReport[] = [];
  for (const key of keys) {
    for (const locale of LOCALES) {
      const report: TemplateReport = { key, locale, errors: [], warnings: [], rendered: null, sms: null };
      reports.push(report);
      const source = templates.source(key, locale);
      if (source === undefined) {
        report.errors.push(`missing in ${locale}`);
        continue;
      }
      const vars = samples[key] ?? {};
      for (const name of missingVariables(source, vars))
        report.errors.push(`uses "${name}", absent from its sample`);
      try {
        report.rendered = templates.render(key, locale, vars);
      } catch (err) {
        report.errors.push((err as Error).message.split('\n')[0]!);
        continue;
      }
      if (key.startsWith('sms/')) {
        report.sms = smsStats(report.rendered);
        if (report.sms.segments > MAX_SMS_SEGMENTS)
          report.warnings.push(
            `${report.sms.segments} segments (${report.sms.encoding}${
              report.sms.nonGsm.length ? `, because of ${report.sms.nonGsm.join(' ')}` : ''
            }): more than ${MAX_SMS_SEGMENTS}`,
          );
      }
    }
  }
  return reports;
}

/** The few fields of Handlebars' syntax tree the walk reads. */
interface AstNode {
  type: string;
  original?: string;
  parts?: string[];
  data?: boolean;
  body?: AstNode[];
  path?: AstNode;
  params?: AstNode[];
  program?: AstNode;
  inverse?: AstNode;
}

const BUILT_IN_BLOCKS = new Set(['if', 'unless', 'each', 'with']);

/** Variables the template reads (helper arguments and #each items included) that `vars` lacks. */
function missingVariables(source: string, vars: Record<string, unknown>): string[] {
  const missing = new Set<string>();
  const lookup = (scope: unknown, parts: string[]) =>
    parts.reduce<unknown>(
      (value, part) =>
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined,
      scope,
    );
  const visit = (node: AstNode | undefined | null, scope: unknown): void => {
    if (!node) return;
    switch (node.type) {
      case 'PathExpression':
        if (!node.data && node.parts?.length && lookup(scope, node.parts) === undefined)
          missing.add(node.original ?? node.parts.join('.'));
        return;
      case 'Program':
        for (const child of node.body ?? []) visit(child, scope);
        return;
      case 'MustacheStatement':
      case 'SubExpression':
      case 'BlockStatement': {
        const helper = node.path?.type === 'PathExpression' ? (node.path.original ?? '') : '';
        const params = node.params ?? [];
        if (!BUILT_IN_BLOCKS.has(helper) && params.length === 0) visit(node.path, scope);
        for (const param of params) visit(param, scope);
        if (node.type !== 'BlockStatement') return;
        let inner = scope;
        if (helper === 'each' && params[0]?.type === 'PathExpression') {
          const list = lookup(scope, params[0].parts ?? []);
          inner = Array.isArray(list) ? (list[0] ?? {}) : {};
        }
        visit(node.program, inner);
        visit(node.inverse, scope);
        return;
      }
      default:
        return;
    }
  };
  visit(Handlebars.parse(source) as unknown as AstNode, vars);
  return [...missing];
}

/** message-templates/samples.yaml, anchors (keys starting with "_") left out. */
export async function loadTemplateSamples(path: string): Promise<TemplateSamples> {
  const parsed = parseYaml(await readFile(path, 'utf8'), { merge: true }) as TemplateSamples | null;
  return Object.fromEntries(Object.entries(parsed ?? {}).filter(([key]) => !key.startsWith('_')));
}

export class TemplateCheckError extends Error {
  constructor(readonly reports: TemplateReport[]) {
    super(
      `Message templates with errors:\n${reports
        .flatMap((r) => r.errors.map((e) => `  - ${r.locale}/${r.key}: ${e}`))
        .join('\n')}`,
    );
    this.name = 'TemplateCheckError';
  }
}

/** The start-up check: throws, naming each template and problem, if any template fails. */
export function assertTemplatesRender(templates: Templates, samples: TemplateSamples): void {
  const failing = checkTemplates(templates, samples).filter((r) => r.errors.length > 0);
  if (failing.length > 0) throw new TemplateCheckError(failing);
}
