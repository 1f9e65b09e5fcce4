// Where an outbox worker's CPU time went while it drained the gateway benchmark's messages, from a
// V8 .cpuprofile (node --cpu-prof): busy time in a window of the monotonic clock (the clock of a
// profile's timestamps, process.hrtime), split by what is on the stack. gateway.bench.ts calls it
// on the profiles its workers wrote; alone:
//   npx tsx bench/gateway-profile.ts <file.cpuprofile> [fromUs toUs]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

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

const anyFrame = (test: (f: CallFrame) => boolean) => (stack: CallFrame[]) => stack.some(test);
const inPackage = (name: string) => anyFrame((f) => f.url.includes(`/node_modules/${name}/`));

// First matching group wins, in this order: a Prisma query's pg socket write counts as Prisma.
const GROUPS: Array<[string, (stack: CallFrame[]) => boolean]> = [
  ['garbage collector', (stack) => stack[0]?.functionName === '(garbage collector)'],
  [
    'Twilio SDK + axios (request building, HTTP client, response parsing)',
    anyFrame((f) => /\/node_modules\/(twilio|axios|qs|follow-redirects|form-data)\//.test(f.url)),
  ],
  [
    'Prisma client (query building, compiler, result mapping)',
    anyFrame((f) =>
      /\/node_modules\/@prisma\/(client|client-runtime-utils|query-plan-executor)\/|\/src\/generated\/prisma\/|^wasm:/.test(
        f.url,
      ),
    ),
  ],
  [
    'pg driver + Prisma adapter (protocol, sockets)',
    anyFrame((f) =>
      /\/node_modules\/(pg|pg-[a-z-]+|@prisma\/adapter-pg|@prisma\/driver-adapter-utils)\//.test(f.url),
    ),
  ],
  ['BullMQ (worker loop, job scripts, events)', inPackage('bullmq')],
  ['Redis client (commands, socket, replies)', anyFrame((f) => f.url.includes('/node_modules/@redis/'))],
  ['logging (pino)', anyFrame((f) => /\/node_modules\/(pino|@pinojs)/.test(f.url))],
  ['metrics (prom-client)', inPackage('prom-client')],
  // Before app code: the SMS adapter's own request runs node:http under the adapter's frames.
  ['HTTP client (node:http)', anyFrame((f) => /node:(_http|http|https|net)|undici/.test(f.url))],
  ['app code (outbox, adapters)', anyFrame((f) => f.url.includes('/src/'))],
];
const OTHER = 'other (socket reads, timers, microtasks, node internals)';

export interface ProfileSummary {
  /** Sampled time in the window, ms: busy (not idle) and idle. */
  busyMs: number;
  idleMs: number;
  /** Share of busy time, per group, largest first. */
  groups: Array<{ group: string; share: number }>;
  /** Functions with the most self time (share of busy time). */
  topSelf: Array<{ fn: string; share: number }>;
}

/** Summarises `file` over [fromUs, toUs] of the monotonic clock (the whole profile without one). */
export function summariseProfile(file: string, window?: [number, number]): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const stackOf = (id: number): CallFrame[] => {
    const frames: CallFrame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur))
      frames.push(byId.get(cur)!.callFrame);
    return frames;
  };
  const groupOf = new Map<number, string>();
  const byGroup = new Map<string, number>();
  const bySelf = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let clock = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const d = profile.timeDeltas[i]!;
    clock += d;
    if (window && (clock < window[0] || clock > window[1])) continue;
    const id = profile.samples[i]!;
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idle += d;
      continue;
    }
    busy += d;
    let group = groupOf.get(id);
    if (group === undefined) {
      const stack = stackOf(id);
      group = GROUPS.find(([, test]) => test(stack))?.[0] ?? OTHER;
      groupOf.set(id, group);
    }
    byGroup.set(group, (byGroup.get(group) ?? 0) + d);
    const where = frame.url
      ? frame.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/work\/[^/]+\//, '')
      : '';
    const fn = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    bySelf.set(fn, (bySelf.get(fn) ?? 0) + d);
  }
  const share = (v: number) => Number((v / Math.max(1, busy)).toFixed(3));
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    groups: sorted(byGroup).map(([group, v]) => ({ group, share: share(v) })),
    topSelf: sorted(bySelf)
      .slice(0, 15)
      .map(([fn, v]) => ({ fn, share: share(v) })),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, from, to] = process.argv.slice(2);
  if (!file) {
    console.error('usage: tsx bench/gateway-profile.ts <file.cpuprofile> [fromUs toUs]');
    process.exit(2);
  }
  const summary = summariseProfile(file, from && to ? [Number(from), Number(to)] : undefined);
  console.log(`busy ${summary.busyMs} ms, idle ${summary.idleMs} ms`);
  for (const { group, share } of summary.groups)
    console.log(`${(share * 100).toFixed(1).padStart(5)} %  ${group}`);
  console.log('top self time:');
  for (const { fn, share } of summary.topSelf)
    console.log(`${(share * 100).toFixed(1).padStart(5)} %  ${fn}`);
}
