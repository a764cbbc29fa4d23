/**
 * The API's configuration, parsed once from the environment by the composition root (main.ts).
 * Everything else receives an `ApiConfig` and never reads process.env.
 */
import { z } from 'zod';

const Minutes = z.coerce.number().int().min(1);
const Bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

export const ApiEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string({ error: 'DATABASE_URL is required: the PostgreSQL connection string, e.g. postgres://user:pass@localhost:5432/tactful' }).regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** Must match the worker's TEMPORAL_TASK_QUEUE: signal-with-start starts account workflows on it. */
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('tactful-accounts'),
  /** Sign out after this many minutes without a request. */
  SESSION_IDLE_MINUTES: Minutes.max(24 * 60).default(30),
  /** Sign out this many minutes after sign-in, however active. */
  SESSION_ABSOLUTE_MINUTES: Minutes.max(30 * 24 * 60).default(12 * 60),
  /** Send cookies only over HTTPS. On by default outside development; set false for plain-HTTP demos. */
  COOKIE_SECURE: Bool.optional(),
  /** Shared secret for the payment webhook's HMAC signature; without it the webhook is off. */
  WEBHOOK_SECRET: z.string().min(16, 'WEBHOOK_SECRET must be at least 16 characters').optional(),
  /** Client replies by inbound-parse webhook: our reply mailbox, and each provider's credentials (unset: that webhook is off). */
  REPLY_MAILBOX: z.email().optional(),
  POSTMARK_INBOUND_USER: z.string().min(1).optional(),
  POSTMARK_INBOUND_PASSWORD: z.string().min(16, 'POSTMARK_INBOUND_PASSWORD must be at least 16 characters').optional(),
  MAILGUN_SIGNING_KEY: z.string().min(16).optional(),
  /** The built web app (vite build output), served at / with SPA fallback. */
  WEB_DIST: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Failed sign-ins for one account within the window before it is locked (1 min, then doubling). */
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  /** Failed sign-ins from one address within the window before it is locked; an office shares one. */
  LOGIN_IP_LIMIT: z.coerce.number().int().min(1).default(100),
  LOGIN_RATE_WINDOW_MINUTES: Minutes.default(15),
  /** Admins and managers must use a second factor (TOTP). On unless set false (the demo does). */
  REQUIRE_MFA: Bool.optional(),
  /** Bearer token Prometheus sends for /metrics; without it /metrics answers only with METRICS_PUBLIC=true. */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  METRICS_PUBLIC: Bool.optional(),
  /** Serve /api/openapi.json without signing in (it is always served to signed-in people and tokens). */
  API_DOCS_PUBLIC: Bool.optional(),
  /** New integration tokens expire after at most this many days. */
  API_TOKEN_MAX_DAYS: z.coerce.number().int().min(1).max(3660).default(365),
  TRUST_PROXY: z.string().optional(),
  NODE_ENV: z.string().default('development'),
});

export interface ApiConfig {
  session: { idleMs: number; absoluteMs: number; cookieName: string; secureCookie: boolean };
  /** `limit`: failures per account in `windowMs` before a lockout; `ipLimit`: the same per address. */
  loginRateLimit: { windowMs: number; limit: number; ipLimit?: number; lockoutMs?: number };
  /** Admins and managers must sign in with a second factor, and enrol before doing anything else. */
  requireMfa: boolean;
  /** /metrics: a bearer token, or public (null token and false: not served). */
  metrics: { token: string | null; public: boolean };
  apiDocsPublic: boolean;
  apiTokenMaxDays: number;
  webhookSecret: string | null;
  /** Tolerated clock difference for webhook timestamps. */
  webhookToleranceMs: number;
  webDist: string | null;
  importMaxBytes: number;
  /** Check every response against its schema (tests and development). */
  validateResponses: boolean;
  trustProxy: string | boolean;
  /** How often an SSE client is sent new events. */
  streamPollMs: number;
  /**
   * A request not answered by then gets 503 with Retry-After, so during an outage nobody waits on a
   * dependency that will not answer (imports and the event stream are long by design and exempt).
   */
  requestDeadlineMs: number;
  /** Inbound-parse webhooks for client replies; absent: they answer 503. */
  inboundMail?: { mailbox: string; postmark?: { user: string; pass: string }; mailgunSigningKey?: string };
}

export interface ProcessConfig {
  port: number;
  host: string;
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  logLevel: string;
  api: ApiConfig;
}

export function defaultApiConfig(over: Partial<ApiConfig> = {}): ApiConfig {
  return {
    session: { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000, cookieName: 'tactful_session', secureCookie: false },
    loginRateLimit: { windowMs: 15 * 60_000, limit: 10, ipLimit: 100, lockoutMs: 60_000 },
    // Off for the demo and tests that build a config directly; parseProcessConfig turns it on.
    requireMfa: false,
    metrics: { token: null, public: false },
    apiDocsPublic: false,
    apiTokenMaxDays: 365,
    webhookSecret: null,
    webhookToleranceMs: 5 * 60_000,
    webDist: null,
    importMaxBytes: 20 * 1024 * 1024,
    validateResponses: false,
    trustProxy: false,
    streamPollMs: 1000,
    requestDeadlineMs: 2_800,
    ...over,
  };
}

/** Fails with one message naming every bad variable, so a misconfigured start is fixed in one go. */
export function parseProcessConfig(env: Record<string, string | undefined>): ProcessConfig {
  // docker-compose passes `VAR: ${VAR:-}` as an empty string: that means "not set", not "set to nothing".
  const r = ApiEnv.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = r.data;
  const production = e.NODE_ENV === 'production';
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    logLevel: e.LOG_LEVEL,
    api: defaultApiConfig({
      session: {
        idleMs: e.SESSION_IDLE_MINUTES * 60_000,
        absoluteMs: e.SESSION_ABSOLUTE_MINUTES * 60_000,
        cookieName: 'tactful_session',
        secureCookie: e.COOKIE_SECURE ?? production,
      },
      loginRateLimit: { windowMs: e.LOGIN_RATE_WINDOW_MINUTES * 60_000, limit: e.LOGIN_RATE_LIMIT, ipLimit: e.LOGIN_IP_LIMIT, lockoutMs: 60_000 },
      requireMfa: e.REQUIRE_MFA ?? true,
      metrics: { token: e.METRICS_TOKEN ?? null, public: e.METRICS_PUBLIC ?? false },
      apiDocsPublic: e.API_DOCS_PUBLIC ?? false,
      apiTokenMaxDays: e.API_TOKEN_MAX_DAYS,
      webhookSecret: e.WEBHOOK_SECRET ?? null,
      inboundMail: e.REPLY_MAILBOX
        ? {
            mailbox: e.REPLY_MAILBOX,
            postmark: e.POSTMARK_INBOUND_USER && e.POSTMARK_INBOUND_PASSWORD ? { user: e.POSTMARK_INBOUND_USER, pass: e.POSTMARK_INBOUND_PASSWORD } : undefined,
            mailgunSigningKey: e.MAILGUN_SIGNING_KEY,
          }
        : undefined,
      webDist: e.WEB_DIST ?? null,
      validateResponses: !production,
      trustProxy: e.TRUST_PROXY === undefined ? false : e.TRUST_PROXY === 'true' ? true : e.TRUST_PROXY,
    }),
  };
}
