/**
 * Who may do what. Roles nest the way the business does (admin ⊇ manager ⊇ clerk ⊇ viewer for the
 * ledger; the caller works the call list), and integration tokens get permissions only through scopes.
 * Object-level rules (a caller's own calls, a manager-only draft) live with the routes that load the object.
 */
import type { Role, TokenScope } from '../../domain/api/auth';

const everyone: Role[] = ['admin', 'manager', 'clerk', 'caller', 'viewer'];
const office: Role[] = ['admin', 'manager', 'clerk', 'viewer'];
const deciders: Role[] = ['admin', 'manager', 'clerk'];
const managers: Role[] = ['admin', 'manager'];

export const rolePermissions = {
  'queue:read': office,
  'queue:decide': deciders,
  'accounts:read': everyone,
  'accounts:mode': managers,
  'accounts:pause': managers,
  'accounts:promise': ['admin', 'manager', 'clerk', 'caller'],
  'accounts:dispute': deciders,
  'accounts:note': ['admin', 'manager', 'clerk', 'caller'],
  'calls:read': everyone,
  'calls:log': ['admin', 'manager', 'caller'],
  'invoices:write': deciders,
  'payments:write': deciders,
  /** A payment held as a possible duplicate is credited or dismissed by a manager, never by a token. */
  'payments:release': managers,
  'clients:write': managers,
  'imports:run': managers,
  'metrics:read': office,
  'stream:read': office,
  /** What a switch of mode would do: a planning aid for anyone who works the ledger. */
  'accounts:preview': office,
  'policies:read': office,
  'policies:write': managers,
  'settings:read': managers,
  'settings:write': ['admin'],
  'recommendations:read': managers,
  'recommendations:decide': managers,
  'users:manage': ['admin'],
  'tokens:manage': ['admin'],
} satisfies Record<string, Role[]>;

export type Permission = keyof typeof rolePermissions;

/** What each integration scope unlocks. A token never gets a permission a scope does not name. */
export const scopePermissions: Record<TokenScope, Permission[]> = {
  read: ['accounts:read', 'metrics:read'],
  'invoices:write': ['invoices:write', 'clients:write'],
  'payments:write': ['payments:write'],
};

export function roleCan(role: Role, permission: Permission): boolean {
  return (rolePermissions[permission] as readonly Role[]).includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(rolePermissions) as Permission[]).filter((p) => roleCan(role, p));
}

export const isManager = (role: Role) => role === 'admin' || role === 'manager';
