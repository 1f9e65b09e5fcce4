import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, totalmem } from 'node:os';

// The one report of a `npm run bench` run (issue 20): results/report-<date>.md and .json, with
// the machine, every benchmark's lines (each figure printed beside its same-run baseline and its
// target by the benchmark itself), and the targets missed gathered at the top. Why a target was
// missed, with the profile, is in bench/README.md under the benchmark's latest results.

export interface BenchEntry {
  name: string;
  /** False when a request was answered wrongly or the benchmark failed. */
  passed: boolean;
  seconds: number;
  report: string[];
  error?: string;
}

export interface ReportMachine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  loadAverage: { before: number; after: number };
}

/** A line that states a target: "… < 300 ms met" or "… NOT MET". */
const TARGET = /\b(?:NOT MET|met)\b/;
const MISSED = /\bNOT MET\b/;

export function machineNow(loadBefore: number): ReportMachine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cores: Number(execSync('nproc').toString().trim()),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: execSync('uname -sr').toString().trim(),
    loadAverage: { before: loadBefore, after: loadavg()[0]! },
  };
}

export function renderReport(date: string, machine: ReportMachine, entries: BenchEntry[]) {
  const targets = entries.flatMap((e) =>
    e.report
      .filter((line) => TARGET.test(line))
      .map((line) => ({ bench: e.name, line, met: !MISSED.test(line) })),
  );
  const missed = targets.filter((t) => !t.met);
  const failed = entries.filter((e) => !e.passed);
  const md = [
    `# Benchmarks, ${date}`,
    '',
    `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.kernel}; ` +
      `load average ${machine.loadAverage.before.toFixed(2)} before, ${machine.loadAverage.after.toFixed(2)} after. ` +
      'Each benchmark prints its own versions of PostgreSQL and Redis, its baseline and its targets.',
    '',
    `Benchmarks run: ${entries.map((e) => `${e.name} (${e.seconds} s)`).join(', ')}.`,
    '',
    '## Targets missed',
    '',
    ...(missed.length === 0 ? ['None.'] : missed.map((t) => `- **${t.bench}**: ${t.line}`)),
    '',
    "Why each was missed, with the profile: bench/README.md, under the benchmark's latest results.",
    '',
    ...(failed.length === 0
      ? []
      : [
          '## Failed',
          '',
          ...failed.map(
            (e) => `- **${e.name}**: ${e.error ?? 'a request was answered wrongly (see its lines)'}`,
          ),
          '',
        ]),
    ...entries.flatMap((e) => [`## ${e.name}`, '', '```', ...e.report, '```', '']),
  ].join('\n');
  const json = { date, machine, targets, benchmarks: entries };
  return { md, json };
}

/** Writes results/report-<date>.md and .json; returns the Markdown's path. */
export function writeReport(date: string, machine: ReportMachine, entries: BenchEntry[]): string {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const { md, json } = renderReport(date, machine, entries);
  const base = new URL(`report-${date}`, dir).pathname;
  writeFileSync(`${base}.md`, md);
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  return `${base}.md`;
}
