import { MODULES } from './modules.js';
import { type PlatformSettings, readPlatformSettings } from './platform/config.js';
import { type Env, readSettings } from './platform/settings-reader.js';

// Every setting of the service: the platform's, then each capability module's own section
// (src/modules.ts). Every problem of every section is reported at once, at start-up (README,
// "Settings").

type Module = (typeof MODULES)[number];
type Section<M> = M extends { readSettings(...args: never[]): infer S } ? S : never;
type Intersection<U> = (U extends unknown ? (section: U) => void : never) extends (section: infer I) => void
  ? I
  : never;

export type Settings = PlatformSettings & Intersection<Section<Module>>;

export function loadSettings(env: Env = process.env, argv: string[] = process.argv): Settings {
  return readSettings(env, (read, problems) => {
    const platform = readPlatformSettings(read, argv, problems);
    const sections = MODULES.map((m) => ('readSettings' in m ? m.readSettings(read, platform) : {}));
    return Object.assign({}, platform, ...sections) as Settings;
  });
}
