import type { Flow, Step } from './flow-schema.js';
import { transitions } from './flow-validation.js';

// A flow as a Mermaid flowchart, for a supervisor to review (GitHub and most wikis render it).

function label(id: string, step: Step): string {
  const detail =
    step.type === 'action'
      ? step.action
      : step.type === 'transfer'
        ? step.to
        : step.type === 'branch'
          ? `on ${step.on}`
          : step.type === 'language'
            ? step.locale
            : 'prompt' in step && step.prompt
              ? step.prompt
              : '';
  return `${id}["${step.type}: ${id}${detail ? `<br/><small>${detail}</small>` : ''}"]`;
}

const nodeId = (id: string) => id.replace(/-/g, '_');

export function flowToMermaid(flow: Flow): string {
  const lines = ['flowchart TD', `  flow_start((${flow.name})) --> ${nodeId(flow.start)}`];
  for (const [id, step] of Object.entries(flow.steps)) {
    lines.push(`  ${nodeId(id)}${label(id, step).slice(id.length)}`);
    for (const { to, label: edge } of transitions(step)) {
      lines.push(`  ${nodeId(id)} -->${edge ? `|${edge}|` : ''} ${nodeId(to)}`);
    }
  }
  return lines.join('\n');
}
