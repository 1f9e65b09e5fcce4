import { describe, expect, it } from 'vitest';
import { renderReport } from '../../bench/report.js';

// `npm run bench` ends with one report (issue 20): the targets missed at the top, each
// benchmark's lines (figure, same-run baseline, target) below, the machine first.

const MACHINE = {
  cores: 2,
  cpuModel: 'AMD EPYC',
  memoryGiB: 24,
  node: 'v20.20.2',
  kernel: 'Linux 6.1',
  loadAverage: { before: 0.5, after: 1.25 },
};

describe('the benchmarks report', () => {
  it('gathers the missed targets at the top and keeps every line of every benchmark', () => {
    const { md, json } = renderReport('2026-12-07', MACHINE, [
      {
        name: 'paging',
        passed: true,
        seconds: 150,
        report: [
          'A 200 calls at once: worst caller p99 331 ms, bare ×1 118 ms: ratio 2.8',
          'target, A 200 calls at once: worst caller p99 331 < 300 ms NOT MET; 0 lost met',
          'target, one call at a time: page call p95 15 < 64 ms met',
        ],
      },
      { name: 'webhook', passed: false, seconds: 30, report: [], error: 'Error: server did not start' },
    ]);
    expect(md).toContain(
      '2 cores (AMD EPYC), 24 GiB, Node v20.20.2, Linux 6.1; load average 0.50 before, 1.25 after',
    );
    const missed = md.slice(md.indexOf('## Targets missed'), md.indexOf('## Failed'));
    expect(missed).toContain(
      '- **paging**: target, A 200 calls at once: worst caller p99 331 < 300 ms NOT MET',
    );
    expect(missed).not.toContain('page call p95 15 < 64 ms met');
    expect(md).toContain('- **webhook**: Error: server did not start');
    expect(md).toContain('A 200 calls at once: worst caller p99 331 ms, bare ×1 118 ms: ratio 2.8');
    expect(json.targets.map((t) => t.met)).toEqual([false, true]);
  });

  it('says so when every target was met', () => {
    const { md } = renderReport('2026-12-07', MACHINE, [
      { name: 'slots', passed: true, seconds: 20, report: ['target: p99 4 < 50 ms met'] },
    ]);
    expect(md).toContain('## Targets missed\n\nNone.');
    expect(md).not.toContain('## Failed');
  });
});
