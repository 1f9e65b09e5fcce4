// Settings are parsed once from the environment into typed objects. Every wrong or missing value
// is reported at start-up with its name, what was expected and what was given: each section's
// reader notes its problems, and all of them are reported together.

export type Env = Record<string, string | undefined>;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Runs the section readers on one environment; throws every problem they found at once. */
export function readSettings<T>(env: Env, read: (reader: EnvReader, problems: string[]) => T): T {
  const problems: string[] = [];
  const settings = read(new EnvReader(env, problems), problems);
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

export class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  /** A comma-separated list, items trimmed, empty ones dropped. */
  list(name: string, fallback: string): string[] {
    return this.string(name, fallback)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name}: expected an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  /** A value in a format of its own: `parse` returns it, or throws saying what was expected. */
  parsed<T>(name: string, fallback: T, parse: (raw: string) => T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    try {
      return parse(raw);
    } catch (err) {
      this.problems.push(`${name}: ${(err as Error).message} (got "${raw}")`);
      return fallback;
    }
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name}: expected true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}: expected one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  }

  /** "HH:MM-HH:MM" (over midnight when the start is later), or "none". */
  timeRange(name: string, fallback: string): { startMinute: number; endMinute: number } {
    const raw = this.raw(name) ?? fallback;
    if (raw === 'none') return { startMinute: 0, endMinute: 0 };
    const match = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(raw);
    const minutes = (hhmm: string) => {
      const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
      return m ? Number(m[1]) * 60 + Number(m[2]) : null;
    };
    const start = match ? minutes(match[1]!) : null;
    const end = match ? minutes(match[2]!) : null;
    if (start === null || end === null) {
      this.problems.push(`${name}: expected HH:MM-HH:MM, e.g. 21:00-08:00, or none (got "${raw}")`);
      return { startMinute: 0, endMinute: 0 };
    }
    return { startMinute: start, endMinute: end };
  }

  /** A list among "sun" and "holidays" (or empty). */
  restDays(name: string, fallback: string): { sundays: boolean; publicHolidays: boolean } {
    const raw = this.env[name]?.trim() ?? fallback;
    const items = raw
      .split(',')
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean);
    const unknown = items.filter((d) => d !== 'sun' && d !== 'holidays');
    if (unknown.length > 0) this.problems.push(`${name}: expected sun and/or holidays (got "${raw}")`);
    return { sundays: items.includes('sun'), publicHolidays: items.includes('holidays') };
  }

  /** "HH:MM" as minutes from midnight. */
  timeOfDay(name: string, fallback: string): number {
    const raw = this.raw(name) ?? fallback;
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(raw);
    if (!match) {
      this.problems.push(`${name}: expected a time of day HH:MM, e.g. 18:00 (got "${raw}")`);
      return 0;
    }
    return Number(match[1]) * 60 + Number(match[2]);
  }

  url(name: string, fallback: string, protocols: string[]): string {
    return this.optionalUrl(name, protocols) ?? fallback;
  }

  optionalUrl(name: string, protocols: string[]): string | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (protocols.includes(url.protocol)) return raw;
    } catch {
      // reported below
    }
    this.problems.push(
      `${name}: expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${redactUrl(raw)}")`,
    );
    return undefined;
  }

  timeZone(name: string, fallback: string): string {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    try {
      new Intl.DateTimeFormat('fr-FR', { timeZone: raw });
      return raw;
    } catch {
      this.problems.push(`${name}: unknown IANA time zone (got "${raw}"), e.g. Europe/Paris`);
      return fallback;
    }
  }
}

/** Hides the password of a URL before it reaches a message or a log. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return raw.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
  }
}
