// Where a server's CPU time went under load, from a V8 .cpuprofile (node --cpu-prof):
//   BENCH_ROUNDS=1 BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench
//   npx tsx bench/profile-summary.ts /tmp/prof/<largest CPU.*.0.001.cpuprofile> [seconds] [--last]
//     [--skip <seconds>]
// It takes the busiest `seconds`-long window (10 by default: the measured run of the webhook,
// the last thing that process does), or with --last the window that ends with the last busy
// sample (the gather benchmark's server is busier putting calls at the menu than in its
// measured run, which is the last thing it does), and splits its busy time by what is on the stack.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

// --skip leaves out the first seconds of the profile: a process's start-up (module loading,
// schema compiling) is busier than the short burst that follows it.
const args = process.argv.slice(2);
const last = args.includes('--last');
const skipAt = args.indexOf('--skip');
const skipUs = skipAt >= 0 ? Number(args[skipAt + 1]) * 1e6 : 0;
const [file, secondsArg] = args.filter(
  (a, i) => a !== '--last' && (skipAt < 0 || (i !== skipAt && i !== skipAt + 1)),
);
if (!file) {
  console.error(
    'usage: tsx bench/profile-summary.ts <file.cpuprofile> [seconds] [--last] [--skip <seconds>]',
  );
  process.exit(2);
}
const windowUs = Number(secondsArg ?? 10) * 1e6;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);

let clock = profile.startTime;
const at = profile.timeDeltas.map((d) => {
  clock += d;
  return clock;
});
const isIdle = (id: number) => byId.get(id)?.callFrame.functionName === '(idle)';

// The busiest window, by a sliding sum of non-idle time.
let best = 0;
let bestStart = 0;
let busy = 0;
const firstAt = at.findIndex((t) => t - profile.startTime >= skipUs);
for (let i = Math.max(0, firstAt), j = i; i < at.length; i++) {
  if (!isIdle(profile.samples[i]!)) busy += profile.timeDeltas[i]!;
  while (at[i]! - at[j]! > windowUs) {
    if (!isIdle(profile.samples[j]!)) busy -= profile.timeDeltas[j]!;
    j++;
  }
  if (busy > best) {
    best = busy;
    bestStart = j;
  }
}
let lastBusy = at.length - 1;
while (lastBusy > 0 && isIdle(profile.samples[lastBusy]!)) lastBusy--;
const from = last ? at[lastBusy]! - windowUs : at[bestStart]!;

const stackOf = (id: number): CallFrame[] => {
  const frames: CallFrame[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur))
    frames.push(byId.get(cur)!.callFrame);
  return frames;
};
const anyFrame = (test: (f: CallFrame) => boolean) => (stack: CallFrame[]) => stack.some(test);
// First matching group wins, in this order.
const GROUPS: Array<[string, (stack: CallFrame[]) => boolean]> = [
  [
    "Twilio signature (HMAC-SHA1; the SDK's validateRequest only on a mismatch)",
    anyFrame((f) => f.functionName === 'checkTwilioSignature' || f.functionName === 'validateRequest'),
  ],
  ['Redis client (commands, socket writes, replies)', anyFrame((f) => f.url.includes('@redis/client'))],
  [
    "TwiML building (the SDK's VoiceResponse, on xmlbuilder)",
    anyFrame((f) => f.url.includes('/twilio/lib/twiml/') || f.url.includes('/xmlbuilder/')),
  ],
  ['form parsing (fast-querystring)', anyFrame((f) => f.url.includes('fast-querystring'))],
  ['metrics (prom-client)', anyFrame((f) => f.url.includes('prom-client'))],
  ['request logger (pino child + redaction)', anyFrame((f) => /\/pino\/|@pinojs/.test(f.url))],
  [
    'HTTP answer write (reply.send -> socket writev)',
    anyFrame((f) => f.functionName === 'writePayload' || f.functionName === 'onSendEnd'),
  ],
  [
    'HTTP request parsing (node:http)',
    anyFrame((f) => ['parserOnHeadersComplete', 'parserOnIncoming'].includes(f.functionName)),
  ],
  ['PostgreSQL driver (pg)', anyFrame((f) => /\/pg\/|pg-protocol|\/postgres-/.test(f.url))],
  ['Prisma runtime', anyFrame((f) => f.url.includes('prisma'))],
  ['BullMQ', anyFrame((f) => f.url.includes('bullmq'))],
  ['luxon', anyFrame((f) => f.url.includes('luxon'))],
  ['garbage collector', (stack) => stack[0]?.functionName === '(garbage collector)'],
  // Before Fastify's group: the route handler's synchronous part runs under Fastify's frames.
  [
    'IVR routes, flow engine, call state (JSON, structuredClone), prompts',
    anyFrame((f) => f.url.includes('/src/ivr/') || f.url.includes('handlebars')),
  ],
  ['Fastify routing, hooks, reply', anyFrame((f) => f.url.includes('fastify'))],
  ['other app code (phone index, identification)', anyFrame((f) => f.url.includes('/src/'))],
];
const OTHER = 'other (socket reads, microtasks, node internals)';

const byGroup = new Map<string, number>();
const bySelf = new Map<string, number>();
let total = 0;
let idle = 0;
for (let i = 0; i < at.length; i++) {
  if (at[i]! < from || at[i]! > from + windowUs) continue;
  const id = profile.samples[i]!;
  const d = profile.timeDeltas[i]!;
  if (isIdle(id)) {
    idle += d;
    continue;
  }
  total += d;
  const stack = stackOf(id);
  const group = GROUPS.find(([, test]) => test(stack))?.[0] ?? OTHER;
  byGroup.set(group, (byGroup.get(group) ?? 0) + d);
  const top = stack[0]!;
  const key = `${top.functionName || '(anonymous)'} ${top.url.replace(/.*node_modules\//, '')}`;
  bySelf.set(key, (bySelf.get(key) ?? 0) + d);
}

const pct = (d: number) => `${((100 * d) / total).toFixed(1).padStart(5)}%`;
console.log(
  `${last ? 'last' : 'busiest'} ${windowUs / 1e6} s: ${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle`,
);
console.log('\nby what is on the stack:');
for (const [group, d] of [...byGroup].sort((a, b) => b[1] - a[1])) console.log(`${pct(d)}  ${group}`);
console.log('\nself time, top functions:');
for (const [fn, d] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${pct(d)}  ${fn}`);
