import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

// Property-based fuzzing of what outsiders feed the service (issue 20): webhook form bodies, CSV
// imports, SMS replies, IVR flow files. In `npm test` each property runs a few hundred generated
// inputs after its saved regressions; `npm run fuzz` (FUZZ_SECONDS) runs each for that long and
// saves any input that breaks a property to `regressions/<target>.json`, which the suite then
// replays for good.

const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 0);
const SUITE_RUNS = 300;
const REGRESSIONS = join(import.meta.dirname, 'regressions');

const regressionFile = (target: string) => join(REGRESSIONS, `${target}.json`);

function savedInputs<Ts extends [unknown, ...unknown[]]>(target: string): Ts[] {
  const file = regressionFile(target);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Ts[]) : [];
}

/**
 * Checks `property` on the target's saved regressions, then on generated inputs. A failure throws
 * fast-check's report (seed, path, the shrunk input); while fuzzing, the input is saved first.
 * Inputs must be plain JSON (strings, numbers, arrays, objects) to be saved.
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  target: string,
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
): Promise<void> {
  const examples = savedInputs<Ts>(target);
  const result = await fc.check(property as fc.IAsyncProperty<Ts>, {
    examples,
    ...(FUZZ_SECONDS > 0
      ? {
          numRuns: Number.MAX_SAFE_INTEGER,
          interruptAfterTimeLimit: FUZZ_SECONDS * 1000,
          markInterruptAsFailure: false,
        }
      : { numRuns: SUITE_RUNS }),
  });
  if (!result.failed) return;
  if (FUZZ_SECONDS > 0 && result.counterexample) {
    writeFileSync(
      regressionFile(target),
      `${JSON.stringify([...examples, result.counterexample], null, 2)}\n`,
    );
  }
  throw new Error(fc.defaultReportMessage(result) ?? `property of ${target} failed`);
}

export { fc };
