import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Templates } from '../messaging/templates.js';
import type { Flow } from './flow-schema.js';
import { type FlowProblem, formatProblem, validateFlow } from './flow-validation.js';

// A service line is one flow file of ivr-flows/, selected by the number the caller dialled.

export type ServiceLine = Flow;

export interface ServiceLines {
  byNumber(e164: string | null): ServiceLine | undefined;
  byName(name: string): ServiceLine | undefined;
  all(): ServiceLine[];
}

export class FlowFileError extends Error {
  constructor(readonly problems: FlowProblem[]) {
    super(`Invalid IVR flows:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
    this.name = 'FlowFileError';
  }
}

/** Reads and checks every flow of a folder; returns every problem found, in every file. */
export async function checkFlows(
  dir: string,
  templates: Templates,
): Promise<{ flows: Flow[]; problems: FlowProblem[] }> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const flows: Flow[] = [];
  const problems: FlowProblem[] = [];
  const numbers = new Map<string, string>();
  for (const file of files) {
    let document: unknown;
    try {
      document = parseYaml(await readFile(join(dir, file), 'utf8'));
    } catch (err) {
      problems.push({
        file,
        step: null,
        message: `is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
      });
      continue;
    }
    const result = validateFlow(file, document, templates);
    problems.push(...result.problems);
    if (!result.flow) continue;
    for (const number of result.flow.numbers) {
      const other = numbers.get(number);
      if (other)
        problems.push({ file, step: null, message: `number ${number} is already the number of ${other}` });
      numbers.set(number, file);
    }
    flows.push(result.flow);
  }
  return { flows, problems };
}

/** The service refuses to start with an invalid flow. */
export async function loadServiceLines(dir: string, templates: Templates): Promise<ServiceLines> {
  const { flows, problems } = await checkFlows(dir, templates);
  if (problems.length > 0) throw new FlowFileError(problems);
  const byNumber = new Map(flows.flatMap((flow) => flow.numbers.map((n) => [n, flow] as const)));
  const byName = new Map(flows.map((flow) => [flow.name, flow]));
  return {
    byNumber: (e164) => (e164 ? byNumber.get(e164) : undefined),
    byName: (name) => byName.get(name),
    all: () => flows,
  };
}
