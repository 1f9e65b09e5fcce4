import { describe, expect, it } from 'vitest';
import { parseReply } from '../../src/messaging/replies/reply-keywords.js';
import { parseOutcomeReply } from '../../src/oncall/page-outcome.js';
import { parsePageReply } from '../../src/oncall/page-replies.js';
import { checkProperty, fc } from './fuzz.js';

// SMS replies are whatever a subscriber or a technician types: any text is read as one known
// intent (or none), never an exception that would leave the sender unanswered.

const NOW = new Date('2026-11-24T21:30:00Z');
// Any text, and text made of the words and times the parsers look for, in any order and spelling.
const anyText = fc.string({ unit: 'binary', maxLength: 300 });
const replyish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'OK',
        'oui',
        'Ouiii',
        'NON',
        'stop',
        'ARRET',
        'zone',
        'rdv',
        'RDV',
        'passage',
        'demain',
      ),
      fc.constantFrom('résolu', 'pas nous', 'not ours', 'rendez-vous', '👍', '👎', "d'accord", 'coupure gaz'),
      fc.constantFrom('14h30', '9h', '2:30pm', '12 am', '24h', '23:59', '99h99', '9 pm'),
      fc.integer({ min: 0, max: 99_999 }).map(String),
    ),
    { maxLength: 8 },
  )
  .chain((words) =>
    fc
      .array(fc.constantFrom(' ', ', ', '. ', '\n', '!', '  '), {
        minLength: words.length,
        maxLength: words.length,
      })
      .map((separators) => words.map((w, i) => w + separators[i]).join('')),
  );
const body = fc.oneof(anyText, replyish);

describe('fuzzing the SMS reply parsers', () => {
  it('reads any reply as one known intent, with a four-digit code or none', async () => {
    await checkProperty(
      'reply-keywords',
      fc.property(body, (text) => {
        const reply = parseReply(text);
        expect(['yes', 'no', 'opt-out', 'opt-in', 'unknown']).toContain(reply.intent);
        if (reply.code !== null) expect(reply.code).toMatch(/^\d{4}$/);
        const page = parsePageReply(text);
        expect(['accept', 'refuse', 'poor-coverage', 'unknown']).toContain(page.intent);
        expect(page.code).toBe(reply.code);
      }),
    );
  });

  it('[ON-11] reads any technician decision as an outcome, unclear or none, with a real time to come', async () => {
    await checkProperty(
      'outcome-reply',
      fc.property(body, (text) => {
        const reply = parseOutcomeReply(text, NOW, 'Europe/Paris');
        expect(['outcome', 'unclear', 'none']).toContain(reply.kind);
        if (reply.kind === 'outcome' && reply.interventionAt) {
          // The next such time of day to come: within two days (a "demain" after midnight).
          expect(Number.isNaN(reply.interventionAt.getTime())).toBe(false);
          expect(reply.interventionAt.getTime()).toBeGreaterThanOrEqual(NOW.getTime());
          expect(reply.interventionAt.getTime()).toBeLessThanOrEqual(NOW.getTime() + 2 * 24 * 3600_000);
        }
      }),
    );
  });
});
