import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpEmailChannel } from '../../src/messaging/email/smtp-email.adapter.js';
import { startSmtpSink } from '../support/smtp-sink.js';

let sink: Awaited<ReturnType<typeof startSmtpSink>>;

beforeAll(async () => {
  sink = await startSmtpSink();
});

afterAll(async () => {
  await sink.close();
});

describe('SMTP e-mail channel', () => {
  it('delivers a French e-mail with text and HTML parts and a stable Message-ID', async () => {
    const channel = smtpEmailChannel(sink.url, 'Service client <service@demo.example>');
    const result = await channel.send({
      messageId: 'abc-123',
      to: 'client@demo.example',
      subject: 'Récapitulatif de votre demande',
      text: 'Bonjour, voici le récapitulatif.',
      html: '<p>Bonjour, voici le récapitulatif.</p>',
    });
    channel.close();
    expect(result).toMatchObject({ outcome: 'sent', providerId: '<abc-123@contact-centre>' });
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]!.to).toEqual(['client@demo.example']);
    expect(sink.mails[0]!.raw).toContain('Message-ID: <abc-123@contact-centre>');
    expect(sink.mails[0]!.raw).toContain('text/html');
  });

  it('reports a 5xx rejection as permanent and a 4xx as temporary', async () => {
    const channel = smtpEmailChannel(sink.url, 'service@demo.example');
    sink.rejectWith(550);
    const permanent = await channel.send({
      messageId: 'p',
      to: 'nobody@demo.example',
      subject: 's',
      text: 't',
      html: undefined,
    });
    sink.rejectWith(451);
    const temporary = await channel.send({
      messageId: 't',
      to: 'later@demo.example',
      subject: 's',
      text: 't',
      html: undefined,
    });
    sink.rejectWith(null);
    channel.close();
    expect(permanent).toMatchObject({ outcome: 'failed', error: { code: 'smtp-550', permanent: true } });
    expect(temporary).toMatchObject({ outcome: 'failed', error: { code: 'smtp-451', permanent: false } });
  });
});
