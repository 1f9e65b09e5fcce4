import type { Db } from '../platform/db/client.js';
import type { Redis } from '../platform/redis.js';

// What calls an agent takes, as tokens the distribution matches in Redis: "line:daytime",
// "lang:fr", "agency:<id>"; "line:*" and "agency:*" when the agent is not limited to some.
// A call needs its line, its language and, when the caller is identified, their agency.

export const skillsKey = (userId: string) => `agent:skills:${userId}`;

export interface Skills {
  skillLines: string[];
  skillLanguages: string[];
  agencyId: string | null;
}

export function skillTokens(skills: Skills): string {
  const tokens = [
    ...(skills.skillLines.length > 0 ? skills.skillLines.map((l) => `line:${l}`) : ['line:*']),
    ...skills.skillLanguages.map((l) => `lang:${l}`),
    skills.agencyId ? `agency:${skills.agencyId}` : 'agency:*',
  ];
  // Spaces around every token, so that a match is a plain substring search in Lua.
  return ` ${tokens.join(' ')} `;
}

export function callNeeds(call: { line: string; locale: string; agencyId: string | null }): string {
  return [
    `line:${call.line}`,
    `lang:${call.locale}`,
    ...(call.agencyId ? [`agency:${call.agencyId}`] : []),
  ].join(' ');
}

/** Reads the agent's skills from their account and hands them to the distribution. */
export async function publishSkills(db: Db, redis: Redis, userId: string): Promise<void> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { skillLines: true, skillLanguages: true, agencyId: true },
  });
  if (user) await redis.set(skillsKey(userId), skillTokens(user));
}
