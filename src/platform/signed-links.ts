import { createHmac, timingSafeEqual } from 'node:crypto';

// Links in e-mails that act without a login (acknowledging an alert): the parameters and an
// expiry are signed with HMAC-SHA256, so a tampered or expired link is refused and changes nothing.

export type LinkCheck = 'valid' | 'tampered' | 'expired';

export interface LinkSigner {
  /** The query string (`a=1&exp=...&sig=...`) for these parameters, valid until `expiresAt`. */
  sign(purpose: string, params: Record<string, string>, expiresAt: Date): string;
  check(purpose: string, query: Record<string, string | undefined>, now: Date): LinkCheck;
}

export function createLinkSigner(secret: string): LinkSigner {
  const mac = (purpose: string, params: Record<string, string>) =>
    createHmac('sha256', secret)
      .update(purpose)
      .update('\n')
      .update(
        Object.keys(params)
          .sort()
          .map((k) => `${k}=${params[k]}`)
          .join('&'),
      )
      .digest('base64url');
  return {
    sign(purpose, params, expiresAt) {
      const signed = { ...params, exp: String(Math.floor(expiresAt.getTime() / 1000)) };
      return new URLSearchParams({ ...signed, sig: mac(purpose, signed) }).toString();
    },
    check(purpose, query, now) {
      const { sig, ...rest } = query;
      if (!sig || !rest.exp || !/^\d+$/.test(rest.exp)) return 'tampered';
      const params = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      const expected = Buffer.from(mac(purpose, params));
      const given = Buffer.from(sig);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'tampered';
      return Number(rest.exp) * 1000 < now.getTime() ? 'expired' : 'valid';
    },
  };
}
