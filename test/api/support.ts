/**
 * Helpers for API tests: a real app on a real (per-suite) PostgreSQL, listening on a free port and
 * driven with fetch; a gateway object that behaves like the account workflow's Updates and can be
 * switched "down"; users of every role; signed-in clients that carry their cookie and CSRF token.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import * as argon2 from '@node-rs/argon2';
import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { createApp } from '../../api/app';
import { defaultApiConfig, type ApiConfig } from '../../api/config';
import { WorkflowRejectedError, WorkflowUnavailableError, type WorkflowGateway } from '../../api/gateway';
import type { Database } from '../../db/client';
import * as t from '../../db/schema';
import type { Role } from '../../domain/api/auth';
import { Errors, type AccountState, type CallOutcome, type DraftDecision, type FactsChanged } from '../../workflows/account/definitions';
import { createTestDatabase, type TestDatabase } from '../support/db';

export class FakeGateway implements WorkflowGateway {
  down = false;
  signals: { accountId: string; signal: FactsChanged }[] = [];
  decisions: DraftDecision[] = [];
  constructor(private readonly database: Database) {}

  private check() {
    if (this.down) throw new WorkflowUnavailableError('Temporal is stopped (test).');
  }
  async factsChanged(accountId: string, signal: FactsChanged) {
    this.check();
    this.signals.push({ accountId, signal });
  }
  async decideDraft(accountId: string, d: DraftDecision) {
    this.check();
    const db = this.database.db;
    const [m] = await db.select().from(t.messages).where(eq(t.messages.id, d.messageId));
    if (!m || m.accountId !== accountId) throw new WorkflowRejectedError(Errors.NoSuchDraft, 'no such draft');
    if (m.status === 'superseded') throw new WorkflowRejectedError(Errors.Superseded, 'superseded by a payment');
    if (m.status !== 'pending_approval') throw new WorkflowRejectedError(Errors.AlreadyDecided, 'already decided');
    const status = d.decision === 'reject' ? ('rejected' as const) : ('approved' as const);
    await db.update(t.messages).set({ status, decidedAt: new Date() }).where(and(eq(t.messages.id, m.id), eq(t.messages.status, 'pending_approval')));
    this.decisions.push(d);
    return { messageId: m.id, status };
  }
  async logCallOutcome(_accountId: string, o: CallOutcome) {
    this.check();
    await this.database.db.update(t.callTasks).set({ status: 'done', outcome: o.outcome, completedAt: new Date() }).where(eq(t.callTasks.id, o.callTaskId));
    return { callTaskId: o.callTaskId, recorded: o.outcome };
  }
  async state(accountId: string): Promise<AccountState | null> {
    this.check();
    return { accountId, mode: 'copilot', stage: null, balanceCents: 0, next: null, pendingDraft: null, openCallTaskId: null, promise: null, disputeOpen: false, paused: false, seenFactsVersion: 0 };
  }
  async ping() {
    this.check();
  }
}

export interface TestApi {
  url: string;
  gateway: FakeGateway;
  clock: { now: Date; advance(ms: number): void };
  close(): Promise<void>;
}

export async function startApi(database: Database, options: { config?: Partial<ApiConfig>; gateway?: WorkflowGateway } = {}): Promise<TestApi> {
  const gateway = new FakeGateway(database);
  const clock = {
    now: new Date('2026-03-02T15:00:00Z'),
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const app = createApp({
    db: database,
    temporal: options.gateway ?? gateway,
    clock: () => clock.now,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    config: defaultApiConfig({
      validateResponses: true,
      webhookSecret: 'test-webhook-secret-0123456789',
      loginRateLimit: { windowMs: 60_000, limit: 10_000 },
      ...options.config,
    }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gateway,
    clock,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const PASSWORD = 'correct horse battery staple';
let hashed: Promise<string> | null = null;

export async function createUser(database: Database, role: Role, email = `${role}-${Math.random().toString(36).slice(2, 8)}@tactful.test`) {
  hashed ??= argon2.hash(PASSWORD);
  const [u] = await database.db.insert(t.users).values({ email, name: `${role[0].toUpperCase()}${role.slice(1)} Person`, role, passwordHash: await hashed }).returning();
  return u;
}

export interface Client {
  cookie: string;
  csrf: string;
  user: t.User;
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
}

export async function login(api: TestApi, user: t.User, password = PASSWORD): Promise<Client> {
  const res = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password }) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie()[0].split(';')[0];
  const me = (await res.json()) as { csrfToken: string };
  const client: Client = {
    cookie,
    csrf: me.csrfToken,
    user,
    req(method, path, body, headers = {}) {
      const isString = typeof body === 'string';
      return fetch(`${api.url}${path}`, {
        method,
        headers: {
          cookie: client.cookie,
          'x-csrf-token': client.csrf,
          ...(body !== undefined ? { 'content-type': isString ? 'text/csv' : 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : isString ? body : JSON.stringify(body),
      });
    },
    async json(method, path, body, headers) {
      const res = await client.req(method, path, body, headers);
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* keep text */
      }
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
  };
  return client;
}

export async function createAccount(database: Database, over: Partial<t.NewAccount> = {}) {
  const [a] = await database.db
    .insert(t.accounts)
    .values({ name: `Acme ${Math.random().toString(36).slice(2, 7)}`, clientSince: '2023-01-01', externalRef: `C-${Math.random().toString(36).slice(2, 9)}`, ...over })
    .returning();
  return a;
}

export async function createDraft(database: Database, accountId: string, over: Partial<typeof t.messages.$inferInsert> = {}) {
  const [m] = await database.db
    .insert(t.messages)
    .values({
      accountId,
      stepId: 'first_reminder',
      cycleKey: `c-${Math.random().toString(36).slice(2, 8)}`,
      status: 'pending_approval',
      toEmail: 'ap@client.test',
      subject: 'Invoice INV-1 is past due',
      bodyText: 'Hello',
      draftSubject: 'Invoice INV-1 is past due',
      draftBodyText: 'Hello',
      tone: 'warm',
      source: 'template',
      factCheck: { passed: true, failures: [] },
      requiresApproval: true,
      amountCents: 120_000,
      daysOverdue: 5,
      invoiceIds: [],
      ...over,
    })
    .returning();
  return m;
}

export async function createCallTask(database: Database, accountId: string, assignedTo: string | null) {
  const [c] = await database.db
    .insert(t.callTasks)
    .values({ accountId, stepId: 'call', cycleKey: `c-${Math.random().toString(36).slice(2, 8)}`, assignedTo, dueAt: new Date('2026-03-01T14:00:00Z') })
    .returning();
  return c;
}

export async function eventsOfType(database: Database, type: string) {
  return database.db.select().from(t.events).where(eq(t.events.type, type));
}

/** One fresh database and API for a suite, with a logged-in client for each role it asks for. */
export async function openSuite<R extends Role>(roles: readonly R[]): Promise<{ db: TestDatabase; api: TestApi; as: Record<R, Client> }> {
  const db = await createTestDatabase();
  const api = await startApi(db);
  const as = {} as Record<R, Client>;
  for (const role of roles) as[role] = await login(api, await createUser(db, role));
  return { db, api, as };
}

export async function closeSuite(suite: { db?: TestDatabase; api?: TestApi }): Promise<void> {
  await suite.api?.close();
  await suite.db?.destroy();
}
