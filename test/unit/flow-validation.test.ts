import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { flowToMermaid } from '../../src/ivr/flow-diagram.js';
import { formatProblem } from '../../src/ivr/flow-validation.js';
import { checkFlows, FlowFileError, loadServiceLines } from '../../src/ivr/service-lines.js';
import { loadTemplates, type Templates } from '../../src/messaging/templates.js';
import { PATHS } from '../../src/platform/paths.js';

let templates: Templates;

beforeAll(async () => {
  templates = await loadTemplates(PATHS.messageTemplates);
});

// A small valid flow; each broken case changes one thing in it.
const VALID = `
name: test-line
kind: daytime
locale: fr
numbers: ["+33970000099"]
start: welcome
steps:
  welcome: { type: say, prompt: voice/welcome-daytime, next: identify }
  identify:
    type: action
    action: identify-caller
    outcomes: { one: recognised, several: recognised, none: leave-message, withheld: leave-message }
    fallback: leave-message
  recognised: { type: say, prompt: voice/caller-recognised, next: leave-message }
  leave-message: { type: record, prompt: voice/leave-message, next: recorded }
  recorded: { type: hangup, prompt: voice/message-recorded }
`;

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flows-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return (await checkFlows(dir, templates)).problems.map(formatProblem);
}

describe('flow validation', () => {
  it('accepts the shipped flows and a valid flow', async () => {
    expect((await checkFlows(PATHS.ivrFlows, templates)).problems).toEqual([]);
    expect(await problemsOf({ 'line.yaml': VALID })).toEqual([]);
  });

  it.each([
    [
      'an unknown step type',
      VALID.replace(
        '{ type: say, prompt: voice/caller-recognised',
        '{ type: speak, prompt: voice/caller-recognised',
      ),
      'line.yaml step "recognised": unknown step type "speak"',
    ],
    [
      'a step type that names an object method (found by fuzzing)',
      VALID.replace(
        '{ type: say, prompt: voice/caller-recognised',
        '{ type: constructor, prompt: voice/caller-recognised',
      ),
      'line.yaml step "recognised": unknown step type "constructor"',
    ],
    [
      'a typo in a property',
      VALID.replace('next: recorded }', 'nxt: recorded }'),
      'line.yaml step "leave-message": ',
    ],
    [
      'a step going to an unknown step',
      VALID.replace('next: recorded }', 'next: recordd }'),
      'line.yaml step "leave-message": goes to unknown step "recordd"',
    ],
    [
      'an unknown start step',
      VALID.replace('start: welcome', 'start: hello'),
      'line.yaml: start step "hello" does not exist',
    ],
    [
      'an unreachable step',
      `${VALID}  orphan: { type: hangup }\n`,
      'line.yaml step "orphan": is unreachable from the start step',
    ],
    [
      'a dead end (a loop with no way to hang up)',
      VALID.replace('next: recorded }', 'next: welcome }')
        .replace('none: leave-message', 'none: recognised')
        .replace('withheld: leave-message', 'withheld: recognised')
        .replace('fallback: leave-message', 'fallback: recognised'),
      'line.yaml step "welcome": is a dead end: no path from it leads to a hang-up',
    ],
    [
      'a prompt missing in a locale',
      VALID.replace('voice/caller-recognised', 'voice/only-in-french'),
      'line.yaml step "recognised": prompt "voice/only-in-french" has no fr template (message-templates/fr/voice/only-in-french.hbs)',
    ],
    [
      'an unknown domain action',
      VALID.replace('action: identify-caller', 'action: guess-caller'),
      'line.yaml step "identify": unknown domain action "guess-caller"',
    ],
    [
      'an outcome the action never returns',
      VALID.replace('several: recognised', 'many: recognised'),
      'line.yaml step "identify": action "identify-caller" has no outcome "many"',
    ],
    [
      'a number that is not E.164',
      VALID.replace('"+33970000099"', '"09 70 00 00 99"'),
      'line.yaml: /numbers/0 ',
    ],
    ['invalid YAML', 'name: [unclosed', 'line.yaml: is not valid YAML'],
    [
      'a loop of steps that never wait for the caller',
      VALID.replace(
        '  recognised: { type: say, prompt: voice/caller-recognised, next: leave-message }',
        '  recognised: { type: branch, on: x, cases: { "a": again }, default: leave-message }\n  again: { type: say, prompt: voice/caller-recognised, next: recognised }',
      ),
      'line.yaml step "recognised": loops without waiting for the caller: recognised → again → recognised',
    ],
    [
      'an opening-hours check in a flow without opening hours',
      VALID.replace('action: identify-caller', 'action: check-opening-hours').replace(
        /outcomes: \{[^}]*\}/,
        'outcomes: { open: recognised, closed: leave-message }',
      ),
      'line.yaml step "identify": check-opening-hours needs `openingHours` in the flow',
    ],
  ])('rejects %s with the file and step', async (_case, text, expected) => {
    const problems = await problemsOf({ 'line.yaml': text });
    expect(
      problems.some((p) => p.startsWith(expected)),
      `got: ${problems.join(' | ')}`,
    ).toBe(true);
  });

  it('rejects two flows answering the same number', async () => {
    expect(
      await problemsOf({ 'a.yaml': VALID, 'b.yaml': VALID.replace('name: test-line', 'name: other-line') }),
    ).toEqual(['b.yaml: number +33970000099 is already the number of a.yaml']);
  });

  it('refuses to start the service with an invalid flow', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flows-'));
    await writeFile(join(dir, 'line.yaml'), VALID.replace('next: recorded }', 'next: nowhere }'));
    await expect(loadServiceLines(dir, templates)).rejects.toThrow(FlowFileError);
    await expect(loadServiceLines(dir, templates)).rejects.toThrow(
      'line.yaml step "leave-message": goes to unknown step "nowhere"',
    );
  });

  it('draws a flow as a Mermaid flowchart with every transition labelled', async () => {
    const { flows } = await checkFlows(PATHS.ivrFlows, templates);
    const diagram = flowToMermaid(flows.find((f) => f.name === 'out-of-hours')!);
    expect(diagram.split('\n')[0]).toBe('flowchart TD');
    expect(diagram).toContain('identify -->|none| ask_reference');
    expect(diagram).toContain('identify -->|failure| leave_message');
    expect(diagram).toContain('menu -->|1| emergency');
    expect(diagram).toContain('menu -->|no valid input| identify');
    expect(diagram).toContain('recorded["hangup: recorded<br/><small>voice/message-recorded</small>"]');
  });

  it('flows:check exits 1 and names the problem for a broken folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flows-'));
    await writeFile(join(dir, 'line.yaml'), VALID.replace('action: identify-caller', 'action: guess-caller'));
    const script = new URL('../../scripts/flows-check.ts', import.meta.url).pathname;
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', script, dir]);
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('unknown domain action "guess-caller"'),
    });
  });
});
