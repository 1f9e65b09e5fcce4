// TwiML for the flow engine's answers, written as strings. The twilio SDK's VoiceResponse builds
// an XML tree (xmlbuilder) for every answer: 23-25 µs each, an eighth of a mid-flow webhook's CPU
// (bench/README.md, gather step), against under a microsecond here. Only the verbs the engine
// uses; a unit test checks the bytes are the SDK's own for each of them.

type Attributes = Record<string, string | number | boolean | readonly string[] | undefined>;

const escapeText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');

const escapeAttribute = (value: string) =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');

function open(verb: string, attributes: Attributes): string {
  let tag = `<${verb}`;
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(' ') : String(value);
    tag += ` ${name}="${escapeAttribute(text)}"`;
  }
  return tag;
}

class Verbs {
  /** Written verbs, and nested ones (a gather) written when the whole answer is. */
  protected readonly parts: Array<string | GatherTwiml> = [];

  say(attributes: Attributes, text: string): this {
    this.parts.push(`${open('Say', attributes)}>${escapeText(text)}</Say>`);
    return this;
  }

  protected element(verb: string, attributes: Attributes = {}, text?: string): this {
    this.parts.push(
      text === undefined
        ? `${open(verb, attributes)}/>`
        : `${open(verb, attributes)}>${escapeText(text)}</${verb}>`,
    );
    return this;
  }
}

/** What a <Gather> says while it listens. */
export class GatherTwiml extends Verbs {
  constructor(private readonly attributes: Attributes) {
    super();
  }

  override toString(): string {
    return this.parts.length === 0
      ? `${open('Gather', this.attributes)}/>`
      : `${open('Gather', this.attributes)}>${this.parts.join('')}</Gather>`;
  }
}

export class Twiml extends Verbs {
  gather(attributes: Attributes): GatherTwiml {
    const gather = new GatherTwiml(attributes);
    this.parts.push(gather);
    return gather;
  }

  record(attributes: Attributes): this {
    return this.element('Record', attributes);
  }

  enqueue(attributes: Attributes, queue: string): this {
    return this.element('Enqueue', attributes, queue);
  }

  dial(attributes: Attributes, number: string): this {
    return this.element('Dial', attributes, number);
  }

  pause(attributes: Attributes): this {
    return this.element('Pause', attributes);
  }

  leave(): this {
    return this.element('Leave');
  }

  hangup(): this {
    return this.element('Hangup');
  }

  override toString(): string {
    const body = this.parts.map(String).join('');
    return `<?xml version="1.0" encoding="UTF-8"?>${body ? `<Response>${body}</Response>` : '<Response/>'}`;
  }
}
