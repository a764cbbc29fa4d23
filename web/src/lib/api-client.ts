/**
 * The one way the web app talks to the API: session cookie, the CSRF header on writes, problem+json
 * errors turned into ApiError, and every answer checked against the shared contract so a drifting
 * API shows up as a clear error instead of a blank screen.
 */
import type { z } from 'zod';
import { Problem, problemTypes } from '../../../domain/api';
import { config } from './config';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
  }

  is(type: keyof typeof problemTypes): boolean {
    return this.problem.type === problemTypes[type] || this.problem.type.endsWith(problemTypes[type]);
  }
}

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
/** For requests whose body is a file rather than JSON (imports). */
export const currentCsrfToken = () => csrfToken;

type SessionListener = () => void;
const sessionLost = new Set<SessionListener>();
/** Called when the API says the session is gone, so the app can return to the login page. */
export function onSessionLost(listener: SessionListener): () => void {
  sessionLost.add(listener);
  return () => sessionLost.delete(listener);
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `${config.apiBase}${path}${qs ? `?${qs}` : ''}`;
}

interface RequestOptions<T extends z.ZodType> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  schema?: T;
  headers?: Record<string, string>;
  /** Login and /me must not bounce the user to the login page when they answer 401. */
  quietOn401?: boolean;
}

async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  try {
    const parsed = Problem.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: a proxy or a crashed server answered; fall through to a generic problem.
  }
  return {
    type: res.status === 404 ? problemTypes.notFound : problemTypes.internal,
    title: res.status === 404 ? 'Not found' : `The server answered ${res.status}`,
    status: res.status,
    detail: text && text.length < 300 ? text : undefined,
  };
}

export async function api<T extends z.ZodType = z.ZodUnknown>(path: string, options: RequestOptions<T> = {}): Promise<z.infer<T>> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      credentials: 'include',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, { type: problemTypes.internal, title: 'The server cannot be reached', status: 0, detail: 'Check your connection and try again.' });
  }

  if (!res.ok) {
    const problem = await readProblem(res);
    const error = new ApiError(res.status, problem);
    if (res.status === 401 && !options.quietOn401) sessionLost.forEach((l) => l());
    throw error;
  }
  if (res.status === 204) return undefined as z.infer<T>;
  const json: unknown = await res.json();
  if (!options.schema) return json as z.infer<T>;
  const parsed = options.schema.safeParse(json);
  if (!parsed.success) {
    console.error('Response does not match the API contract', path, parsed.error.issues);
    throw new ApiError(res.status, {
      type: problemTypes.internal,
      title: 'Unexpected answer from the server',
      status: res.status,
      detail: `${path} answered in a shape this page does not understand.`,
    });
  }
  return parsed.data;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
