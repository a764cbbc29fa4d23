/**
 * One declarative table of routes drives three things: the Express router (authenticate → CSRF →
 * authorize → validate → handle), the OpenAPI document, and the authorization-matrix test.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z, type ZodType } from 'zod';
import { appendEvent } from '../db/events';
import { problemTypes } from '../domain/api/problems';
import type { TokenScope } from '../domain/api/auth';
import type { AppDeps } from './deps';
import { authenticate, eventActor, safeEqual, workflowActor, type Principal } from './auth/principal';
import { roleCan, scopePermissions, type Permission } from './auth/permissions';
import { mfaRequiredFor } from './auth/mfa';
import { noiseFor } from './auth/noise';
import { HttpProblem } from './problems';
import type { EventActor } from '../db/events';
import type { Actor } from '../domain/messages';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type Access =
  | { kind: 'public' }
  /** Any signed-in person (no tokens): e.g. /api/me, logout. */
  | { kind: 'session' }
  | { kind: 'permission'; permission: Permission };

export interface Ctx<P, Q, B> {
  req: Request;
  res: Response;
  deps: AppDeps;
  params: P;
  query: Q;
  body: B;
  principal: Principal | null;
  now: Date;
  /** Refuses with 403 and leaves the audit event; for object-level rules. */
  refuse(reason: string, accountId?: string | null): Promise<never>;
}

export interface AuthedCtx<P, Q, B> extends Ctx<P, Q, B> {
  principal: Principal;
  actor: EventActor;
  wfActor: Actor;
}

export interface RouteDef<P = any, Q = any, B = any> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** How the body arrives; JSON unless said. */
  bodyType?: 'json' | 'csv' | 'file';
  /** Largest body read, in bytes: 100 kB for JSON unless said, the import limit for CSV. */
  bodyLimit?: number;
  response?: ZodType;
  status?: number;
  /** The response is not JSON (SSE, Prometheus text): the handler writes it. */
  raw?: boolean;
  /** Requires an `Idempotency-Key` header. */
  idempotencyKey?: boolean;
  handler(ctx: AuthedCtx<P, Q, B>): Promise<unknown>;
}

/** A handler's answer already serialised as JSON (a kept queue page); sent as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}

export const route = <P = unknown, Q = unknown, B = unknown>(def: RouteDef<P, Q, B>): RouteDef<P, Q, B> => def;

const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete']);
const CSV_TYPES = ['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel'];
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** An import file as downloaded: CSV as text, a workbook as bytes. */
const FILE_TYPES = [...CSV_TYPES, XLSX_TYPE, 'application/octet-stream'];
export const DEFAULT_JSON_LIMIT = 100 * 1024;

function bodyParser(def: RouteDef, deps: AppDeps): RequestHandler | null {
  if (!def.body) return null;
  if (def.bodyType === 'csv') return express.text({ type: CSV_TYPES, limit: def.bodyLimit ?? deps.config.importMaxBytes });
  if (def.bodyType === 'file') {
    const limit = def.bodyLimit ?? deps.config.importMaxBytes;
    const text = express.text({ type: CSV_TYPES, limit });
    const raw = express.raw({ type: [XLSX_TYPE, 'application/octet-stream'], limit });
    return (req, res, next) => (req.is(CSV_TYPES) ? text(req, res, next) : raw(req, res, next));
  }
  return express.json({
    limit: def.bodyLimit ?? DEFAULT_JSON_LIMIT,
    // The webhook's signature is over the bytes as sent.
    verify: (req, _res, buf) => {
      (req as Request & { rawBody?: Buffer }).rawBody = buf;
    },
  });
}

const readBody = (parser: RequestHandler, req: Request, res: Response) =>
  new Promise<void>((resolve, reject) => {
    void parser(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
  });

export async function recordRefusal(
  deps: AppDeps,
  req: Request,
  principal: Principal | null,
  data: { reason: string; permission?: string; accountId?: string | null; routePath?: string },
): Promise<void> {
  // Anyone can send anonymous refusals by the thousand; a known principal's refusals are all kept.
  if (!principal) {
    const admitted = noiseFor(deps.config).audit.admit(`refused:${req.ip ?? '?'}`, deps.clock().getTime());
    if (admitted === 'suppressed') return;
    if (admitted === 'first_suppressed') {
      try {
        await appendEvent(deps.db.db, { type: 'audit.suppressed', actor: eventActor(null), data: { kind: 'authz.refused', ip: req.ip ?? null, path: data.routePath ?? req.path, reason: 'too many anonymous refusals from this address; more are not recorded for a minute' } });
      } catch (err) {
        deps.logger.warn({ err }, 'could not record suppressed refusals');
      }
      return;
    }
  }
  try {
    await appendEvent(deps.db.db, {
      accountId: data.accountId ?? null,
      type: 'authz.refused',
      actor: eventActor(principal),
      data: {
        method: req.method,
        path: data.routePath ?? req.path,
        permission: data.permission ?? null,
        reason: data.reason,
        role: principal?.kind === 'user' ? principal.role : null,
        scopes: principal?.kind === 'token' ? principal.scopes : null,
        ip: req.ip ?? null,
      },
    });
  } catch (err) {
    // The refusal itself must still be answered; a lost audit row is logged loudly instead.
    deps.logger.error({ err }, 'could not record a refused authorization');
  }
}

function allowed(principal: Principal, permission: Permission): boolean {
  if (principal.kind === 'user') return roleCan(principal.role, permission);
  return principal.scopes.some((s: TokenScope) => scopePermissions[s]?.includes(permission));
}

function parseOr400<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new HttpProblem(
      400,
      problemTypes.validation,
      'Invalid request',
      r.error.issues.slice(0, 5).map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`).join('; '),
      r.error.issues.slice(0, 50).map((i) => ({ path: [where, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message })),
    );
  }
  return r.data;
}

export function mountRoutes(router: Router, deps: AppDeps, routes: RouteDef[]): void {
  for (const def of routes) {
    const parser = bodyParser(def, deps);
    router[def.method](def.path, async (req: Request, res: Response) => {
      const now = deps.clock();
      let principal: Principal | null = null;
      const refuse = async (reason: string, accountId?: string | null): Promise<never> => {
        await recordRefusal(deps, req, principal, {
          reason,
          accountId,
          routePath: def.path,
          permission: def.access.kind === 'permission' ? def.access.permission : undefined,
        });
        throw new HttpProblem(403, problemTypes.forbidden, 'Forbidden', reason);
      };

      if (def.access.kind !== 'public') {
        const auth = await authenticate(req, deps.db.db, deps.config, now);
        if (!auth.principal) {
          if (auth.expired)
            throw new HttpProblem(401, problemTypes.sessionExpired, 'Session expired', 'Your session has ended; sign in again.', undefined, {
              'Set-Cookie': `${deps.config.session.cookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
            });
          throw new HttpProblem(401, problemTypes.unauthenticated, 'Not signed in', auth.tokenExpired ? 'This API token has expired; an admin can create a new one.' : auth.presented ? 'The credentials were not accepted.' : 'Sign in, or send an API token.', undefined, {
            'WWW-Authenticate': 'Bearer realm="tactful"',
          });
        }
        principal = auth.principal;
        if (principal.kind === 'user' && STATE_CHANGING.has(def.method)) {
          const sent = req.get('x-csrf-token');
          if (!sent || !safeEqual(sent, principal.session.csrfToken)) {
            await recordRefusal(deps, req, principal, { reason: 'missing or wrong CSRF token', routePath: def.path });
            throw new HttpProblem(403, problemTypes.csrf, 'CSRF check failed', 'Send the X-CSRF-Token header with the token from GET /api/me.');
          }
        }
        // An admin or manager without a second factor may only enrol one (the session endpoints) first.
        if (principal.kind === 'user' && def.access.kind !== 'session' && !principal.mfa.enabled && mfaRequiredFor(deps.config, principal.role)) {
          await recordRefusal(deps, req, principal, { reason: 'second factor not enrolled', routePath: def.path });
          throw new HttpProblem(403, problemTypes.mfaEnrolmentRequired, 'Second factor required', 'Set up an authenticator app (Account settings) before using Tactful as an admin or manager.');
        }
        if (def.access.kind === 'session' && principal.kind !== 'user') await refuse('this endpoint is for signed-in people, not API tokens');
        if (def.access.kind === 'permission' && !allowed(principal, def.access.permission))
          await refuse(
            principal.kind === 'user'
              ? `the ${principal.role} role may not do this (${def.access.permission})`
              : `this token's scopes do not allow this (${def.access.permission})`,
          );
      }

      if (def.idempotencyKey) {
        const key = req.get('idempotency-key');
        if (!key || !/^[\x21-\x7e]{8,200}$/.test(key))
          throw new HttpProblem(400, problemTypes.idempotencyKeyMissing, 'Idempotency-Key required', 'Send an Idempotency-Key header (8–200 visible ASCII characters) so a retry records this once.');
      }
      if (def.body && parser) {
        const wanted = def.bodyType === 'csv' ? CSV_TYPES : def.bodyType === 'file' ? FILE_TYPES : ['application/json'];
        if (!req.is(wanted))
          throw new HttpProblem(415, problemTypes.unsupportedMediaType, 'Unsupported media type', `Send the body as ${wanted[0]}.`);
        // Only now, with the caller known and allowed, is the body read.
        await readBody(parser, req, res);
      }
      const params = parseOr400(def.params, req.params, 'params');
      const query = parseOr400(def.query, req.query ?? {}, 'query');
      const body = parseOr400(def.body, req.body, 'body');

      const ctx = {
        req,
        res,
        deps,
        params,
        query,
        body,
        principal,
        now,
        refuse,
        actor: eventActor(principal),
        wfActor: principal ? workflowActor(principal) : { type: 'client' as const },
      } as AuthedCtx<unknown, unknown, unknown>;
      const result = await def.handler(ctx);
      if (def.raw || res.headersSent) return;
      if (deps.config.validateResponses && def.response) {
        const r = def.response.safeParse(result instanceof JsonText ? JSON.parse(result.text) : result);
        if (!r.success) {
          deps.logger.error({ route: `${def.method} ${def.path}`, issues: r.error.issues.slice(0, 5) }, 'response does not match its schema');
          throw new Error(`response of ${def.method.toUpperCase()} ${def.path} does not match its schema: ${z.prettifyError(r.error)}`);
        }
      }
      // A handler that chose its own status (201 created vs 200 updated) keeps it.
      res.status(res.statusCode !== 200 ? res.statusCode : (def.status ?? 200));
      if (result instanceof JsonText) res.type('json').send(result.text);
      else res.json(result);
    });
  }
}
