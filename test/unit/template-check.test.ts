import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTemplates, loadTemplateSamples, smsStats } from '../../src/messaging/template-check.js';
import { loadTemplates } from '../../src/messaging/templates.js';
import { PATHS } from '../../src/platform/paths.js';

// The template check that runs at start-up and as `npm run templates:check`.

async function fixture(files: Record<string, string>) {
  const root = await mkdtemp(join(tmpdir(), 'templates-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return loadTemplates(root);
}

describe('template check', () => {
  it('renders every shipped template in French and English, every SMS in at most two segments', async () => {
    const templates = await loadTemplates(PATHS.messageTemplates);
    const reports = checkTemplates(templates, await loadTemplateSamples(PATHS.templateSamples));
    expect(reports.filter((r) => r.errors.length > 0).map((r) => [r.locale, r.key, r.errors])).toEqual([]);
    expect(reports.filter((r) => r.warnings.length > 0).map((r) => [r.locale, r.key, r.warnings])).toEqual(
      [],
    );
    expect(reports.filter((r) => r.sms).length).toBeGreaterThan(20);
  });

  it('names a variable missing from the sample, even one only tested by {{#if}}, and a template missing in a locale', async () => {
    const templates = await fixture({
      'fr/sms/a.hbs': 'Bonjour {{name}}{{#if vip}}, cher client{{/if}} ({{#each items}}{{code}}{{/each}})',
      'en/sms/a.hbs': 'Hello {{name}}',
      'fr/sms/only-french.hbs': 'Bonjour',
    });
    const reports = checkTemplates(templates, { 'sms/a': { name: 'Léa', items: [{ label: 'x' }] } });
    const errors = Object.fromEntries(reports.map((r) => [`${r.locale}/${r.key}`, r.errors]));
    expect(errors['fr/sms/a']).toEqual(
      expect.arrayContaining(['uses "vip", absent from its sample', 'uses "code", absent from its sample']),
    );
    expect(errors['en/sms/a']).toEqual([]);
    expect(errors['en/sms/only-french']).toEqual(['missing in en']);
  });

  it('counts SMS segments as Twilio does, and warns above two', async () => {
    expect(smsStats('Répondez OK 4821')).toEqual({
      encoding: 'GSM-7',
      segments: 1,
      characters: 16,
      nonGsm: [],
    });
    expect(smsStats('Arrêter : 2 m³')).toMatchObject({ encoding: 'UCS-2', nonGsm: ['ê', '³'] });
    const templates = await fixture({
      'fr/sms/long.hbs': `${'é'.repeat(10)}ê${'a'.repeat(150)}`,
      'en/sms/long.hbs': 'ok',
    });
    const [french] = checkTemplates(templates, {}).filter((r) => r.locale === 'fr');
    expect(french!.sms).toMatchObject({ encoding: 'UCS-2', segments: 3 });
    expect(french!.warnings).toEqual(['3 segments (UCS-2, because of ê): more than 2']);
  });
});
