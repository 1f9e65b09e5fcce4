import { Value } from '@sinclair/typebox/value';
import type { Templates } from '../messaging/templates.js';
import { ACTION_OUTCOMES, isActionName } from './actions.js';
import { type Flow, FlowSchema, STEP_SCHEMAS, type Step } from './flow-schema.js';

// Everything that can be wrong with a flow, each reported with its file and step, so a
// supervisor or a developer can fix it without reading code.

export interface FlowProblem {
  file: string;
  step: string | null;
  message: string;
}

export function formatProblem(p: FlowProblem): string {
  return `${p.file}${p.step ? ` step "${p.step}"` : ''}: ${p.message}`;
}

/** Where each step can go next, with a label for the diagram. */
export function transitions(step: Step): Array<{ to: string; label: string }> {
  switch (step.type) {
    case 'say':
    case 'record':
    case 'language':
      return [{ to: step.next, label: '' }];
    case 'gather':
      return [
        ...Object.entries(step.choices ?? {}).map(([key, to]) => ({ to, label: key })),
        ...(step.next ? [{ to: step.next, label: 'input' }] : []),
        { to: step.fallback, label: 'no valid input' },
      ];
    case 'action':
      return [
        ...Object.entries(step.outcomes).map(([outcome, to]) => ({ to, label: outcome })),
        { to: step.fallback, label: 'failure' },
      ];
    case 'branch':
      return [
        ...Object.entries(step.cases).map(([value, to]) => ({ to, label: value })),
        { to: step.default, label: 'otherwise' },
      ];
    case 'transfer':
      return [
        { to: step.next, label: 'answered' },
        { to: step.fallback, label: 'no answer' },
      ];
    case 'hangup':
      return [];
  }
}

function promptsOf(step: Step): string[] {
  if (step.type === 'gather') return [step.prompt, step.retryPrompt];
  if ('prompt' in step && step.prompt) return [step.prompt];
  return [];
}

/** Parses and checks one flow document. Returns the flow only when there is no problem. */
export function validateFlow(
  file: string,
  document: unknown,
  templates: Templates,
): { flow: Flow | null; problems: FlowProblem[] } {
  const schemaProblems = checkSchema(file, document);
  if (schemaProblems.length > 0) return { flow: null, problems: schemaProblems };

  const flow = document as Flow;
  const problems: FlowProblem[] = [];
  const stepIds = new Set(Object.keys(flow.steps));
  if (!stepIds.has(flow.start))
    problems.push({ file, step: null, message: `start step "${flow.start}" does not exist` });

  for (const [id, step] of Object.entries(flow.steps)) {
    for (const { to } of transitions(step)) {
      if (!stepIds.has(to)) problems.push({ file, step: id, message: `goes to unknown step "${to}"` });
    }
    if (step.type === 'action') {
      const outcomes: readonly string[] | undefined = isActionName(step.action)
        ? ACTION_OUTCOMES[step.action]
        : undefined;
      if (!outcomes) {
        problems.push({
          file,
          step: id,
          message: `unknown domain action "${step.action}" (known: ${Object.keys(ACTION_OUTCOMES).join(', ')})`,
        });
      } else {
        for (const outcome of Object.keys(step.outcomes)) {
          if (!outcomes.includes(outcome))
            problems.push({
              file,
              step: id,
              message: `action "${step.action}" has no outcome "${outcome}" (it returns ${outcomes.join(', ')})`,
            });
        }
      }
    }
    if (step.type === 'action' && step.action === 'check-opening-hours' && !flow.openingHours)
      problems.push({ file, step: id, message: 'check-opening-hours needs `openingHours` in the flow' });
    if (step.type === 'gather' && !step.next && !step.choices)
      problems.push({ file, step: id, message: 'a gather needs `next` or `choices`' });
    for (const prompt of promptsOf(step)) {
      for (const locale of ['fr', 'en'] as const) {
        if (!templates.has(prompt, locale))
          problems.push({
            file,
            step: id,
            message: `prompt "${prompt}" has no ${locale} template (message-templates/${locale}/${prompt}.hbs)`,
          });
      }
    }
  }
  if (problems.length > 0) return { flow: null, problems };

  // Reachability from the start, and from every step to a hang-up (no dead ends, no loops
  // without a way out).
  const reachable = walk(flow.start, (id) => transitions(flow.steps[id]!).map((t) => t.to));
  for (const id of stepIds)
    if (!reachable.has(id)) problems.push({ file, step: id, message: 'is unreachable from the start step' });
  const incoming = new Map<string, string[]>();
  for (const [id, step] of Object.entries(flow.steps)) {
    for (const { to } of transitions(step)) incoming.set(to, [...(incoming.get(to) ?? []), id]);
  }
  const hangups = [...stepIds].filter((id) => flow.steps[id]!.type === 'hangup');
  const canEnd = new Set<string>();
  for (const hangup of hangups) for (const id of walk(hangup, (x) => incoming.get(x) ?? [])) canEnd.add(id);
  for (const id of reachable) {
    if (!canEnd.has(id))
      problems.push({ file, step: id, message: 'is a dead end: no path from it leads to a hang-up' });
  }
  problems.push(...automaticLoops(file, flow));
  return { flow: problems.length === 0 ? flow : null, problems };
}

const AUTOMATIC = new Set(['say', 'action', 'branch', 'language']);

/**
 * A loop of steps that never wait for the caller (say → branch → say ...) would spin within one
 * webhook: reported with the steps of the loop.
 */
function automaticLoops(file: string, flow: Flow): FlowProblem[] {
  const next = (id: string) =>
    AUTOMATIC.has(flow.steps[id]!.type)
      ? transitions(flow.steps[id]!)
          .map((t) => t.to)
          .filter((to) => AUTOMATIC.has(flow.steps[to]!.type))
      : [];
  const problems: FlowProblem[] = [];
  const done = new Set<string>();
  const visit = (id: string, trail: string[]) => {
    const at = trail.indexOf(id);
    if (at >= 0) {
      const loop = trail.slice(at);
      problems.push({
        file,
        step: id,
        message: `loops without waiting for the caller: ${[...loop, id].join(' → ')}`,
      });
      return;
    }
    if (done.has(id)) return;
    for (const to of next(id)) visit(to, [...trail, id]);
    done.add(id);
  };
  for (const id of Object.keys(flow.steps)) visit(id, []);
  return problems;
}

function walk(from: string, next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const to of next(queue.shift()!)) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/**
 * Schema errors in words: the document's own fields, then each step against the schema of its
 * type (checking a step against the whole union would only say "Expected union value").
 */
function checkSchema(file: string, document: unknown): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const error of Value.Errors(FlowSchema, document)) {
    if (!error.path.startsWith('/steps/'))
      problems.push({ file, step: null, message: `${error.path || '/'} ${error.message}` });
  }
  const steps = (document as { steps?: unknown } | null)?.steps;
  if (!steps || typeof steps !== 'object') return problems;
  for (const [id, step] of Object.entries(steps as Record<string, unknown>)) {
    const type = (step as { type?: unknown } | null)?.type;
    // Own types only: "constructor" or "valueOf" would find the object's machinery (found by
    // fuzzing, test/fuzz) and crash the check instead of naming the unknown type.
    const schema =
      typeof type === 'string' && Object.hasOwn(STEP_SCHEMAS, type) ? STEP_SCHEMAS[type] : undefined;
    if (!schema) {
      problems.push({
        file,
        step: id,
        message: `unknown step type ${JSON.stringify(type)} (known: ${Object.keys(STEP_SCHEMAS).join(', ')})`,
      });
      continue;
    }
    const seen = new Set<string>(); // one message per property is enough
    for (const error of Value.Errors(schema, step)) {
      if (!seen.has(error.path))
        problems.push({ file, step: id, message: `${error.path || '/'} ${error.message}` });
      seen.add(error.path);
    }
  }
  return problems;
}
