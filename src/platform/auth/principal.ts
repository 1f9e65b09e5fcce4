import type { ApiTokenRole, Locale, UserRole } from '../../generated/prisma/enums.js';

export type Principal =
  | { kind: 'user'; id: string; role: UserRole; agencyId: string | null; displayName: string; locale: Locale }
  | { kind: 'token'; id: string; role: ApiTokenRole; name: string };

/** Who may use a route. Every route declares one (checked when routes are registered). */
export type Access = 'public' | 'twilio' | { users?: readonly UserRole[]; tokens?: readonly ApiTokenRole[] };

export const STAFF: readonly UserRole[] = ['AGENT', 'SUPERVISOR', 'ADMIN'];
/** Who oversees the agents: supervision, presence, every agency's events. */
export const SUPERVISORS: readonly UserRole[] = ['SUPERVISOR', 'ADMIN'];

/**
 * The agency a user's view is confined to: an agent attached to an agency sees that agency's
 * cases and board; supervisors, admins, unattached agents and tokens see every agency (null).
 */
export function confinedAgency(principal: Principal): string | null {
  return principal.kind === 'user' && principal.role === 'AGENT' ? principal.agencyId : null;
}

export function allows(access: Access, principal: Principal): boolean {
  if (access === 'public') return true;
  if (access === 'twilio') return false;
  if (principal.kind === 'user') return access.users?.includes(principal.role) ?? false;
  return access.tokens?.includes(principal.role) ?? false;
}
