import { describe, expect, it } from 'vitest';
import { grouped } from '../../src/platform/db/grouped.js';

// The outbox's group commit: claims (and records) asked for while one statement is in flight go
// together in the next one; each caller gets its own answer, and one bad item fails only itself.

function recorder(fail: (items: string[]) => boolean = () => false) {
  const runs: string[][] = [];
  const release: Array<() => void> = [];
  const call = grouped(
    async (items: string[]) => {
      runs.push(items);
      await new Promise<void>((resolve) => release.push(resolve));
      if (fail(items)) throw new Error(`bad batch ${items.join(',')}`);
      return new Map(items.map((i) => [i, `claimed ${i}`]));
    },
    (item) => item,
  );
  // Lets the statement in flight finish, then waits for the next one to start.
  const finish = async () => {
    release.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { runs, call, finish };
}

describe('grouped statements', () => {
  it('runs a lone call at once, and the calls that came meanwhile together, each with its own answer', async () => {
    const { runs, call, finish } = recorder();
    const a = call('a');
    expect(runs).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((id) => call(id));
    expect(runs).toHaveLength(1); // waiting for the statement in flight
    await finish();
    expect(runs).toEqual([['a'], ['b', 'c', 'd']]);
    await finish();
    expect(await a).toBe('claimed a');
    expect(await Promise.all(rest)).toEqual(['claimed b', 'claimed c', 'claimed d']);
  });

  it('never puts the same key twice in one statement', async () => {
    const { runs, call, finish } = recorder();
    const first = call('w');
    const again = [call('x'), call('y'), call('x'), call('z')];
    await finish();
    expect(runs[1]).toEqual(['x', 'y', 'z']);
    await finish();
    expect(runs[2]).toEqual(['x']);
    await finish();
    await Promise.all([first, ...again]);
  });

  it('runs a failed batch one by one: only the bad item fails', async () => {
    const { runs, call, finish } = recorder((items) => items.includes('bad'));
    const first = call('a');
    const batch = [call('b'), call('bad'), call('c')].map((p) =>
      p.then(
        (v) => v,
        (e: Error) => e.message,
      ),
    );
    for (let i = 0; i < 5; i++) await finish();
    expect(await first).toBe('claimed a');
    expect(await Promise.all(batch)).toEqual(['claimed b', 'bad batch bad', 'claimed c']);
    expect(runs).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });
});
