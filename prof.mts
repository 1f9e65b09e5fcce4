import { loadSettings } from './src/platform/config.ts';
import { createServices } from './src/platform/services.ts';
import { findCustomersByPhone } from './src/identification/caller-lookup.ts';
import { signTwilioRequest } from './src/platform/twilio-webhook.ts';
import twilio from 'twilio';
const s = loadSettings({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/cc_bench', REDIS_URL: 'redis://127.0.0.1:6379/15', LOG_LEVEL: 'silent' }, []);
const svc = await createServices(s);
const N = 2000;
async function time(label: string, fn: (i: number) => Promise<unknown>, concurrency = 1) {
  const t = performance.now();
  for (let i = 0; i < N; i += concurrency) await Promise.all(Array.from({ length: concurrency }, (_, k) => fn(i + k)));
  console.log(label, 'c=' + concurrency, ((performance.now() - t) * 1000 / N).toFixed(1), 'µs/op');
}
await time('prisma lookup', (i) => findCustomersByPhone(svc.db, '+3361' + String(i).padStart(7, '0')));
await time('prisma lookup', (i) => findCustomersByPhone(svc.db, '+3361' + String(i).padStart(7, '0')), 50);
await time('redis set', (i) => svc.redis.set('x' + i + Math.random(), 'v', { NX: true, EX: 60 }), 50);
const params = { CallSid: 'CA1', From: '+33611', To: '+3397', AccountSid: 'AC' };
const sig = signTwilioRequest('t', 'http://x/y', params);
let t = performance.now(); for (let i = 0; i < N; i++) twilio.validateRequest('t', sig, 'http://x/y', params); console.log('validate', ((performance.now() - t) * 1000 / N).toFixed(1), 'µs');
await svc.close();
process.exit(0);
