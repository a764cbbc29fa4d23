/**
 * Turns every failure into problem+json with a stable `type`. Dependency outages become 503s with a
 * message a person can act on; only a genuine bug is a 500.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';
import { problemTypes, type Problem, type ProblemType } from '../domain/api/problems';
import { LedgerError } from '../db/ledger';
import { ConflictPersistedError, isRetryableConflict } from '../db/transactions';
import { WorkflowRejectedError, WorkflowUnavailableError } from './gateway';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly type: ProblemType,
    readonly title: string,
    readonly detail?: string,
    readonly issues?: Problem['issues'],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }
}

export const problems = {
  notFound: (what: string) => new HttpProblem(404, problemTypes.notFound, 'Not found', `${what} does not exist`),
  forbidden: (detail: string) => new HttpProblem(403, problemTypes.forbidden, 'Forbidden', detail),
  unauthenticated: (detail = 'Sign in first.') => new HttpProblem(401, problemTypes.unauthenticated, 'Not signed in', detail),
  conflict: (detail: string) => new HttpProblem(409, problemTypes.conflict, 'Conflict', detail),
  validation: (detail: string, issues?: Problem['issues']) => new HttpProblem(400, problemTypes.validation, 'Invalid request', detail, issues),
};

export function sendProblem(res: Response, p: Problem, headers?: Record<string, string>): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const [k, v] of Object.entries(headers ?? {})) res.setHeader(k, v);
  res.status(p.status).type('application/problem+json').send(JSON.stringify(p));
}

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, too many connections, connection failures.
  '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006',
  // statement_timeout (db/client.ts): a server that does not answer in time counts as down.
  '57014',
]);

/** Data errors PostgreSQL raises for input zod should already have refused: a 4xx, never a 500. */
const PG_DATA_ERRORS: Record<string, [number, ProblemType, string]> = {
  '22P02': [400, problemTypes.validation, 'A value has the wrong format'],
  '22003': [400, problemTypes.validation, 'A number is out of range'],
  '22007': [400, problemTypes.validation, 'A date is not valid'],
  '22008': [400, problemTypes.validation, 'A date is out of range'],
  '22001': [400, problemTypes.validation, 'A text is too long'],
  '22021': [400, problemTypes.validation, 'The text contains characters that cannot be stored'],
  '23505': [409, problemTypes.conflict, 'This already exists'],
  '23503': [409, problemTypes.conflict, 'This refers to something that does not exist'],
  '23514': [422, problemTypes.validation, 'The values break a rule of the ledger'],
};

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

const codeOf = (e: unknown) => (e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined);

export function isDatabaseDown(err: unknown): boolean {
  return causes(err).some((e) => {
    const code = codeOf(e);
    if (typeof code === 'string' && DB_DOWN_CODES.has(code)) return true;
    const errors = (e as { errors?: unknown[] }).errors; // AggregateError from a dual-stack connect
    return Array.isArray(errors) && errors.some((x) => DB_DOWN_CODES.has(String(codeOf(x))));
  });
}

export function databaseUnavailable(): Problem {
  return {
    type: problemTypes.databaseUnavailable,
    title: 'Database unavailable',
    status: 503,
    detail: 'PostgreSQL cannot be reached right now, so nothing was read or changed. Try again in a moment; Tactful reconnects by itself.',
  };
}

/** Seconds a client should wait before retrying a 503: the parts reconnect by themselves within that. */
export const RETRY_AFTER_SECONDS = 2;
const retryAfter = { 'Retry-After': String(RETRY_AFTER_SECONDS) };

export function toProblem(err: unknown): Problem & { headers?: Record<string, string> } {
  if (err instanceof HttpProblem)
    return { type: err.type, title: err.title, status: err.status, detail: err.detail, issues: err.issues, headers: err.headers };
  if (err instanceof ZodError)
    return {
      type: problemTypes.validation,
      title: 'Invalid request',
      status: 400,
      detail: err.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
      issues: err.issues.slice(0, 50).map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message })),
    };
  if (err instanceof LedgerError) {
    const [status, type, title] =
      err.kind === 'not_found' ? [404, problemTypes.notFound, 'Not found'] : err.kind === 'conflict' ? [409, problemTypes.conflict, 'Conflict'] : [422, problemTypes.validation, 'Refused'];
    return { type, title, status, detail: err.message };
  }
  if (err instanceof WorkflowUnavailableError)
    return {
      type: problemTypes.workflowUnavailable,
      title: 'Workflow engine unavailable',
      status: 503,
      detail: `Temporal cannot be reached right now, so this was not done. ${err.message} Try again in a moment.`,
      headers: retryAfter,
    };
  // A deadlock or serialization failure that outlasted the reruns where the transaction is run: it was
  // rolled back whole, so the sender may simply try again — never a 500 that reads as "lost".
  if (err instanceof ConflictPersistedError || isRetryableConflict(err))
    return {
      type: problemTypes.writeConflict,
      title: 'Busy, not recorded',
      status: 503,
      detail: 'Another change to the same account kept colliding with this one, so nothing was recorded. Send it again in a moment.',
      headers: retryAfter,
    };
  if (err instanceof WorkflowRejectedError) return err.toProblem();
  if (isDatabaseDown(err)) return { ...databaseUnavailable(), headers: retryAfter };
  for (const e of causes(err)) {
    const code = codeOf(e);
    if (typeof code === 'string' && PG_DATA_ERRORS[code]) {
      const [status, type, title] = PG_DATA_ERRORS[code];
      return { type, title, status, detail: title };
    }
  }
  // body-parser and other http-errors carry their own 4xx status and a `type`.
  const httpErr = err as { status?: unknown; statusCode?: unknown; type?: unknown; expose?: boolean; message?: string };
  const status = Number(httpErr.status ?? httpErr.statusCode);
  if (Number.isInteger(status) && status >= 400 && status < 500) {
    if (httpErr.type === 'entity.too.large')
      return { type: problemTypes.payloadTooLarge, title: 'Request too large', status: 413, detail: 'The request body is larger than this endpoint accepts.' };
    if (httpErr.type === 'entity.parse.failed')
      return { type: problemTypes.malformedBody, title: 'Malformed body', status: 400, detail: 'The request body is not valid JSON.' };
    if (status === 415 || httpErr.type === 'encoding.unsupported' || httpErr.type === 'charset.unsupported')
      return { type: problemTypes.unsupportedMediaType, title: 'Unsupported media type', status: 415, detail: httpErr.message };
    return { type: problemTypes.malformedBody, title: 'Bad request', status, detail: httpErr.expose ? httpErr.message : undefined };
  }
  return { type: problemTypes.internal, title: 'Internal error', status: 500, detail: 'Something went wrong on our side; it has been logged.' };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const p = toProblem(err);
    // A deliberate 5xx (webhook not configured, Temporal away) is an answer, not a bug: no stack trace.
    if (p.status >= 500 && !(err instanceof HttpProblem)) logger.error({ err, method: req.method, url: req.originalUrl, problem: p.type }, 'request failed');
    const { headers, ...body } = p;
    sendProblem(res, body, headers);
  };
}
