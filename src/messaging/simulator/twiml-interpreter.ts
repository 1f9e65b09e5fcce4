import { XMLParser } from 'fast-xml-parser';
import type { NextStep } from './simulator.schemas.js';

// Reads the TwiML our webhooks answer, the way a phone would experience it: what is said, and
// what the call waits for next.

/** What the call waits for next (the simulator's api answers it: simulator.schemas.ts). */
export type { NextStep };

export interface Heard {
  said: string[];
  next: NextStep;
}

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: true,
});

export function interpretTwiml(xml: string): Heard {
  const verbs = verbsOf(xml);
  const said: string[] = [];
  for (const verb of verbs) {
    const name = Object.keys(verb).find((k) => k !== ':@')!;
    const attrs = verb[':@'] ?? {};
    const children = (verb[name] as Node[]) ?? [];
    switch (name) {
      case 'Say':
      case 'Play':
        said.push(name === 'Say' ? textOf(children) : `[audio ${textOf(children)}]`);
        break;
      case 'Gather':
        for (const child of children) if ('Say' in child) said.push(textOf(child.Say as Node[]));
        return {
          said,
          next: {
            kind: 'gather',
            action: attrs.action ?? '',
            numDigits: attrs.numDigits ? Number(attrs.numDigits) : null,
            input: attrs.input ?? 'dtmf',
          },
        };
      case 'Record':
        return { said, next: { kind: 'record', action: attrs.action ?? '' } };
      case 'Redirect':
        return { said, next: { kind: 'redirect', url: textOf(children) } };
      case 'Dial':
        return {
          said,
          next: {
            kind: 'dial',
            // A number, or an agent's softphone ("client:agent-<id>").
            number:
              textOf(children) ||
              textOf((children[0]?.Number as Node[]) ?? []) ||
              (children[0]?.Client ? `client:${textOf(children[0].Client as Node[])}` : ''),
            action: attrs.action ?? null,
          },
        };
      case 'Enqueue':
        return {
          said,
          next: {
            kind: 'enqueue',
            queue: textOf(children),
            action: attrs.action ?? null,
            waitUrl: attrs.waitUrl ?? null,
          },
        };
      case 'Leave':
        return { said, next: { kind: 'leave' } };
      case 'Hangup':
      case 'Reject':
        return { said, next: { kind: 'hangup' } };
      default:
        break; // Pause and others: nothing to hear
    }
  }
  return { said, next: { kind: 'hangup' } };
}

/** The SMS bodies of a messaging TwiML answer (`<Message>`), decoded. */
export function messagesIn(xml: string): string[] {
  const verbs = verbsOf(xml);
  return verbs.filter((v) => 'Message' in v).map((v) => textOf((v.Message as Node[]) ?? []));
}

/** The verbs inside <Response>, in order. */
function verbsOf(xml: string): Node[] {
  const doc = parser.parse(xml) as Node[];
  return (doc.find((n) => 'Response' in n)?.Response as Node[] | undefined) ?? [];
}

function textOf(nodes: Node[]): string {
  return nodes
    .map((n) => (typeof n['#text'] === 'string' || typeof n['#text'] === 'number' ? String(n['#text']) : ''))
    .join(' ')
    .trim();
}
