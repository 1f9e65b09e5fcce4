// `npm run templates:check`: renders every message template in every locale with its sample
// variables (message-templates/samples.yaml), and gives each SMS template its encoding and
// segment count. Exits 1 if a template fails to render; more than two segments is a warning.
import { checkTemplates, loadTemplateSamples } from '../src/messaging/template-check.js';
import { loadTemplates } from '../src/messaging/templates.js';
import { PATHS } from '../src/platform/paths.js';

const templates = await loadTemplates(PATHS.messageTemplates);
const reports = checkTemplates(templates, await loadTemplateSamples(PATHS.templateSamples));

const sms = reports.filter((r) => r.sms);
console.table(
  sms.map((r) => ({
    template: `${r.locale}/${r.key}`,
    encoding: r.sms!.encoding,
    characters: r.sms!.characters,
    segments: r.sms!.segments,
    'not GSM-7': r.sms!.nonGsm.join(' '),
  })),
);
for (const r of reports) {
  for (const warning of r.warnings) console.warn(`warning ${r.locale}/${r.key}: ${warning}`);
  for (const error of r.errors) console.error(`error   ${r.locale}/${r.key}: ${error}`);
}
const errors = reports.reduce((n, r) => n + r.errors.length, 0);
const warnings = reports.reduce((n, r) => n + r.warnings.length, 0);
console.log(`${reports.length / 2} templates in 2 locales: ${errors} errors, ${warnings} warnings`);
process.exit(errors > 0 ? 1 : 0);
