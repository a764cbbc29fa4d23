/**
 * What each role may use, so navigation and buttons show only what the server would allow anyway.
 * The server stays the authority: hiding a button is a courtesy, not a control.
 */
import type { Me, Role } from '../../../domain/api';

export const capabilities = {
  'queue:decide': ['admin', 'manager', 'clerk'],
  'accounts:read': ['admin', 'manager', 'clerk', 'caller', 'viewer'],
  'accounts:facts': ['admin', 'manager', 'clerk', 'caller'],
  'accounts:mode': ['admin', 'manager'],
  'accounts:pause': ['admin', 'manager'],
  'calls:work': ['admin', 'manager', 'caller'],
  'metrics:read': ['admin', 'manager', 'clerk', 'viewer'],
  'policies:edit': ['admin', 'manager'],
  'admin:manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Capability = keyof typeof capabilities;

export function can(me: Me | null | undefined, capability: Capability): boolean {
  if (!me) return false;
  // The API's own list wins when it names the capability; otherwise the role table decides.
  if (me.permissions.includes(capability)) return true;
  return (capabilities[capability] as readonly Role[]).includes(me.user.role);
}
