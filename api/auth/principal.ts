/**
 * Who is making a request: a signed-in person (server-side session from the cookie) or an integration
 * (bearer API token). Both secrets are random and stored only as SHA-256 hashes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Request } from 'express';
import { perDatabase, type Db } from '../../db/client';
import type { EventActor } from '../../db/events';
import * as t from '../../db/schema';
import type { Role, TokenScope } from '../../domain/api/auth';
import type { Actor } from '../../domain/messages';
import type { ApiConfig } from '../config';

export type Principal =
  | {
      kind: 'user';
      id: string;
      email: string;
      name: string;
      role: Role;
      session: { idHash: string; csrfToken: string; expiresAt: Date };
      mfa: { enabled: boolean; recoveryCodesLeft: number };
    }
  | { kind: 'token'; id: string; name: string; scopes: TokenScope[] };

export const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
export const TOKEN_PREFIX = 'tct_';

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function eventActor(p: Principal | null): EventActor {
  if (!p) return { type: 'client', name: 'anonymous' };
  return p.kind === 'user' ? { type: 'user', id: p.id, name: p.name } : { type: 'integration', id: p.id, name: p.name };
}

export function workflowActor(p: Principal): Actor {
  return p.kind === 'user' ? { type: 'user', id: p.id, name: p.name } : { type: 'integration', id: p.id, name: p.name };
}

export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie;
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(v) ? v : null;
    }
  }
  return null;
}

/** Every signed-in request looks its session up: built once and prepared, so it is planned once per connection. */
const sessionLookup = perDatabase((db: Db) =>
  db
    .select({ s: t.sessions, u: t.users })
    .from(t.sessions)
    .innerJoin(t.users, eq(t.users.id, t.sessions.userId))
    .where(eq(t.sessions.idHash, sql.placeholder('idHash')))
    .prepare('session_by_hash'),
);

export type AuthResult = { principal: Principal } | { principal: null; expired: boolean; presented: boolean; tokenExpired?: boolean };

/** Why a session ended, so the person is told "expired" rather than "not signed in". */
export async function authenticate(req: Request, db: Db, config: ApiConfig, now: Date): Promise<AuthResult> {
  const auth = req.headers.authorization;
  if (auth && auth.length < 512) {
    const m = /^Bearer\s+(tct_[A-Za-z0-9_-]{20,100})$/.exec(auth);
    if (!m) return { principal: null, expired: false, presented: true };
    const [tok] = await db
      .select()
      .from(t.apiTokens)
      .where(and(eq(t.apiTokens.tokenHash, sha256(m[1])), isNull(t.apiTokens.revokedAt)));
    if (!tok) return { principal: null, expired: false, presented: true };
    if (tok.expiresAt && now >= tok.expiresAt) return { principal: null, expired: false, presented: true, tokenExpired: true };
    if (!tok.lastUsedAt || now.getTime() - tok.lastUsedAt.getTime() > 60_000)
      await db.update(t.apiTokens).set({ lastUsedAt: now }).where(eq(t.apiTokens.id, tok.id));
    return { principal: { kind: 'token', id: tok.id, name: tok.name, scopes: tok.scopes as TokenScope[] } };
  }

  const raw = readCookie(req, config.session.cookieName);
  if (!raw) return { principal: null, expired: false, presented: Boolean(req.headers.cookie?.includes(config.session.cookieName)) };
  const idHash = sha256(raw);
  const [row] = await sessionLookup(db).execute({ idHash });
  if (!row) return { principal: null, expired: true, presented: true };
  const idleExpired = now.getTime() - row.s.lastSeenAt.getTime() > config.session.idleMs;
  if (idleExpired || now >= row.s.expiresAt || !row.u.active) {
    await db.delete(t.sessions).where(eq(t.sessions.idHash, idHash));
    return { principal: null, expired: true, presented: true };
  }
  // Touch at most every 15 s: idle timeouts are minutes, and a write per request is waste.
  if (now.getTime() - row.s.lastSeenAt.getTime() > 15_000)
    await db.update(t.sessions).set({ lastSeenAt: now }).where(eq(t.sessions.idHash, idHash));
  return {
    principal: {
      kind: 'user',
      id: row.u.id,
      email: row.u.email,
      name: row.u.name,
      role: row.u.role,
      session: { idHash, csrfToken: row.s.csrfToken, expiresAt: row.s.expiresAt },
      mfa: { enabled: Boolean(row.u.totpEnabledAt), recoveryCodesLeft: row.u.recoveryCodeHashes.length },
    },
  };
}

export async function createSession(
  db: Db,
  userId: string,
  config: ApiConfig,
  now: Date,
  meta: { ip?: string | null; userAgent?: string | null },
): Promise<{ cookieValue: string; csrfToken: string; expiresAt: Date }> {
  const cookieValue = randomToken(32);
  const csrfToken = randomToken(32);
  const expiresAt = new Date(now.getTime() + config.session.absoluteMs);
  await db.insert(t.sessions).values({
    idHash: sha256(cookieValue),
    userId,
    csrfToken,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    ip: meta.ip?.slice(0, 64) ?? null,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  });
  return { cookieValue, csrfToken, expiresAt };
}

export function sessionCookie(config: ApiConfig, value: string, maxAgeMs: number): string {
  const parts = [
    `${config.session.cookieName}=${value}`,
    'Path=/',
    'HttpOnly',
    // Lax keeps links from e-mails working while cross-site POSTs carry no cookie; CSRF tokens cover the rest.
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`,
  ];
  if (config.session.secureCookie) parts.push('Secure');
  return parts.join('; ');
}
