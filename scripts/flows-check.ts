// `npm run flows:check [-- --mermaid] [folder]`: checks every IVR flow (schema, steps, prompts in
// every locale, domain actions, reachability, dead ends) and, with --mermaid, prints each flow as
// a Mermaid diagram for review. Exits 1 when a flow is invalid.

import { flowToMermaid } from '../src/ivr/flow-diagram.js';
import { formatProblem } from '../src/ivr/flow-validation.js';
import { checkFlows } from '../src/ivr/service-lines.js';
import { loadTemplates } from '../src/messaging/templates.js';
import { PATHS } from '../src/platform/paths.js';

const args = process.argv.slice(2);
const mermaid = args.includes('--mermaid');
const dir = args.find((a) => !a.startsWith('--')) ?? PATHS.ivrFlows;

const templates = await loadTemplates(PATHS.messageTemplates);
const { flows, problems } = await checkFlows(dir, templates);
for (const problem of problems) console.error(`✗ ${formatProblem(problem)}`);
for (const flow of flows) {
  console.log(`✓ ${flow.name} (${Object.keys(flow.steps).length} steps, numbers ${flow.numbers.join(', ')})`);
  if (mermaid) console.log(`\n\`\`\`mermaid\n${flowToMermaid(flow)}\n\`\`\`\n`);
}
process.exit(problems.length > 0 ? 1 : 0);
