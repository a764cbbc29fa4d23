/**
 * What the signed-in person may use, so navigation and buttons show only what the server would allow.
 * The server's own list (`Me.permissions`) decides; the fallback table covers capabilities the API
 * does not name yet. Hiding a button is a courtesy, not a control.
 */
import type { Me, Role } from '../../../domain/api';

/** Permission names the API sends today (api/auth/permissions.ts). */
const serverNamed = [
  'queue:read',
  'queue:decide',
  'accounts:read',
  'accounts:mode',
  'accounts:pause',
  'accounts:promise',
  'accounts:dispute',
  'accounts:note',
  'calls:read',
  'calls:log',
  'facts:write',
  'metrics:read',
  'stream:read',
  'users:manage',
  'tokens:manage',
  'accounts:preview',
  'policies:read',
  'policies:write',
  'settings:read',
  'settings:write',
  'recommendations:read',
  'recommendations:decide',
  'imports:run',
] as const;

const fallback = {} as const satisfies Record<string, readonly Role[]>;

export type Capability = (typeof serverNamed)[number] | keyof typeof fallback;

export function can(me: Me | null | undefined, capability: Capability): boolean {
  if (!me) return false;
  if (me.permissions.includes(capability)) return true;
  if ((serverNamed as readonly string[]).includes(capability)) return false;
  return ((fallback as Record<string, readonly Role[]>)[capability] ?? []).includes(me.user.role);
}

export function canAny(me: Me | null | undefined, ...caps: Capability[]): boolean {
  return caps.some((c) => can(me, c));
}
