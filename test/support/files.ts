import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file below `dir` whose name ends with `suffix`, as full paths, sorted. */
export async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  return names
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(dir, name))
    .sort();
}
