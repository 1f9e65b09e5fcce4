// [TR-4] The termination run from the command line (the worker runs it daily at TERMINATION_RUN_AT):
//
//   npm run termination-run                    today's run: reminders sent (each once), lists printed
//   npm run termination-run -- --dry-run       the lists only, nothing sent
//   npm run termination-run -- --day 2026-12-31 --dry-run
//   npm run termination-run -- --json          the lists as JSON
//
// Exit status: 0 done, 2 bad usage or settings, or the database unreachable.
import { createServices } from '../src/services.js';
import { loadSettings } from '../src/settings.js';
import { runTermination, terminationDeps } from '../src/termination/termination-run.js';

const args = process.argv.slice(2);
const flags = { dryRun: args.includes('--dry-run'), json: args.includes('--json') };
const dayAt = args.indexOf('--day');
const day = dayAt >= 0 ? args[dayAt + 1] : undefined;
const known = new Set(['--dry-run', '--json', '--day', day]);
const unknown = args.filter((a) => !known.has(a));
if (unknown.length > 0 || (dayAt >= 0 && !/^\d{4}-\d{2}-\d{2}$/.test(day ?? ''))) {
  console.error('usage: npm run termination-run -- [--day YYYY-MM-DD] [--dry-run] [--json]');
  process.exit(2);
}
if (day && !flags.dryRun) {
  // A run sends reminders: only today's may, a past or future day is a preview.
  console.error('--day needs --dry-run: only today is run for real');
  process.exit(2);
}

const services = await createServices(loadSettings());
try {
  const lists = await runTermination(terminationDeps(services), {
    ...(day ? { day } : {}),
    apply: !flags.dryRun,
  });
  if (flags.json) console.log(JSON.stringify(lists, null, 2));
  else {
    console.log(`Termination run of ${lists.day}${flags.dryRun ? ' (dry run: nothing sent)' : ''}`);
    const show = (title: string, lines: typeof lists.toTerminate) => {
      console.log(`\n${title}: ${lines.length}`);
      for (const l of lines)
        console.log(
          `  ${l.customerReference}  ${l.name}  interrupted ${l.interruptedOn}, terminable ${l.terminationDay}  ${l.fieldOrder}`,
        );
    };
    show('To terminate', lists.toTerminate);
    show('To remind (letter, plus SMS or e-mail on file)', lists.toRemind);
    show('For a manager to decide (employees, sensitive customers)', lists.managementDecision);
  }
} finally {
  await services.close();
}
