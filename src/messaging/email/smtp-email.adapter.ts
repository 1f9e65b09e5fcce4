import nodemailer from 'nodemailer';
import type { EmailChannel, OutboundEmail, SendResult } from '../channel.port.js';

export function smtpEmailChannel(smtpUrl: string, from: string): EmailChannel & { close(): void } {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(email: OutboundEmail): Promise<SendResult> {
      try {
        const info = await transport.sendMail({
          from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          // Lets a receiving system de-duplicate if a retry follows a lost acknowledgement.
          messageId: `<${email.messageId}@contact-centre>`,
        });
        return { outcome: 'sent', providerId: info.messageId, status: 'DELIVERED' };
      } catch (err) {
        const e = err as { responseCode?: number; code?: string; message?: string };
        // 5xx SMTP replies are permanent (mailbox unknown, rejected); 4xx and network errors are not.
        const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
        return {
          outcome: 'failed',
          error: {
            code: e.responseCode ? `smtp-${e.responseCode}` : (e.code ?? 'smtp-error'),
            permanent,
            message: e.message ?? String(err),
          },
        };
      }
    },
    close() {
      transport.close();
    },
  };
}
