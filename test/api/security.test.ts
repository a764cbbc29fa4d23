/**
 * Issue 18's findings, one describe per numbered point, each against a real API on a real PostgreSQL:
 * sign-in throttling, passwords and the second factor, duplicate payments, anonymous work, settings,
 * headers, the live feed, /metrics and OpenAPI, date ranges and token expiry, and the manager-only
 * rule read from step kinds.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import YAML from 'yaml';
import { createApp } from '../../api/app';
import { base32Encode, hotp, totpAt } from '../../api/auth/mfa';
import { defaultApiConfig } from '../../api/config';
import { signWebhook } from '../../api/routes/ingestion';
import * as t from '../../db/schema';
import { defaultPolicy } from '../../domain/policy/default-policy';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createAccount, createDraft, createUser, eventsOfType, FakeGateway, login, PASSWORD, startApi, type Client, type TestApi } from './support';

const SECRET = 'test-webhook-secret-0123456789';

const post = (api: TestApi, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const signIn = (api: TestApi, email: string, password: string, ip?: string, otp?: string) =>
  post(api, '/api/auth/login', { email, password, ...(otp ? { otp } : {}) }, ip ? { 'x-forwarded-for': ip } : {});

async function count(db: TestDatabase, type: string): Promise<number> {
  const [{ n }] = await db.db.select({ n: sql<number>`count(*)::int` }).from(t.events).where(eq(t.events.type, type));
  return n;
}

/** Reads an SSE stream for `ms`, then hangs up. */
async function readStream(url: string, headers: Record<string, string>, ms: number): Promise<string> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal });
  const reader = res.body!.getReader();
  let text = '';
  const deadline = Date.now() + ms;
  const timer = setTimeout(() => ctrl.abort(), ms);
  try {
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } catch {
    /* aborted: the time is up */
  } finally {
    clearTimeout(timer);
  }
  return text;
}

describe('security (issue 18)', () => {
  let db: TestDatabase;
  let api: TestApi;
  let admin: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db, { config: { trustProxy: true } });
    admin = await login(api, await createUser(db, 'admin'));
  });
  afterAll(async () => {
    await api.close();
    await db.destroy();
  });

  describe('1. sign-in throttling per account and per address', () => {
    let limited: TestApi;
    beforeAll(async () => {
      limited = await startApi(db, { config: { trustProxy: true, loginRateLimit: { windowMs: 15 * 60_000, limit: 5, ipLimit: 20, lockoutMs: 60_000 } } });
    });
    afterAll(() => limited.close());

    it('successful sign-ins from one office address never lock anyone out', async () => {
      const users = await Promise.all(Array.from({ length: 30 }, () => createUser(db, 'clerk')));
      for (const u of users) expect((await signIn(limited, u.email, PASSWORD, '198.51.100.7')).status).toBe(200);
    });

    it('guessing one account from many addresses locks the account, the right password included, with one audit row', async () => {
      const u = await createUser(db, 'viewer');
      const before = await count(db, 'auth.locked_out');
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await signIn(limited, u.email, `wrong guess ${i}`, `203.0.113.${i + 1}`)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
      const right = await signIn(limited, u.email, PASSWORD, '203.0.113.200');
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await count(db, 'auth.locked_out')) - before).toBe(1);
      // Refused attempts while locked leave no row each.
      expect((await eventsOfType(db, 'auth.login_failed')).filter((e) => (e.data as { email: string }).email === u.email)).toHaveLength(5);
    });

    it('concurrent failures lock once: one audit row however many race', async () => {
      const u = await createUser(db, 'viewer');
      const before = await count(db, 'auth.locked_out');
      const all = await Promise.all(Array.from({ length: 15 }, (_, i) => signIn(limited, u.email, `race ${i}`, `192.0.2.${i + 1}`)));
      expect(all.every((r) => r.status === 401 || r.status === 429)).toBe(true);
      expect((await count(db, 'auth.locked_out')) - before).toBe(1);
    });

    it('one address trying many accounts is locked as an address', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) statuses.push((await signIn(limited, `nobody${i}@tactful.test`, 'guess guess guess', '198.51.100.66')).status);
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(20)).toEqual([429, 429]);
      const other = await createUser(db, 'clerk');
      expect((await signIn(limited, other.email, PASSWORD, '198.51.100.67')).status).toBe(200);
    });

    it('guesses at unknown e-mails from one address leave a few audit rows, not one each', async () => {
      const before = await count(db, 'auth.login_failed');
      for (let i = 0; i < 15; i++) await signIn(limited, `ghost${i}@tactful.test`, 'guess guess guess', '198.51.100.88');
      expect((await count(db, 'auth.login_failed')) - before).toBe(5);
      const u = await createUser(db, 'clerk');
      await signIn(limited, u.email, 'a wrong password here', '198.51.100.88');
      expect((await count(db, 'auth.login_failed')) - before).toBe(6);
    });

    it('each further lockout lasts twice as long', async () => {
      const u = await createUser(db, 'viewer');
      const lockOnce = async () => {
        for (let i = 0; i < 5; i++) await signIn(limited, u.email, 'nope nope nope', '192.0.2.200');
        return Number((await signIn(limited, u.email, PASSWORD, '192.0.2.201')).headers.get('retry-after'));
      };
      expect(await lockOnce()).toBe(60);
      limited.clock.advance(61_000);
      expect(await lockOnce()).toBe(120);
      limited.clock.advance(121_000);
      expect(await lockOnce()).toBe(240);
      limited.clock.advance(241_000);
      expect((await signIn(limited, u.email, PASSWORD, '192.0.2.202')).status).toBe(200);
    });

    it('an admin can unlock a locked account at once', async () => {
      const u = await createUser(db, 'clerk');
      for (let i = 0; i < 5; i++) await signIn(limited, u.email, 'nope nope nope', '192.0.2.150');
      expect((await signIn(limited, u.email, PASSWORD, '192.0.2.151')).status).toBe(429);
      const limitedAdmin = await login(limited, await createUser(db, 'admin'));
      const r = await limitedAdmin.json('POST', `/api/users/${u.id}/unlock`);
      expect(r).toMatchObject({ status: 200, body: { wasLocked: true } });
      expect((await signIn(limited, u.email, PASSWORD, '192.0.2.151')).status).toBe(200);
      expect(await count(db, 'auth.unlocked')).toBeGreaterThanOrEqual(1);
    });
  });

  describe('2. passwords, sign out everywhere and the second factor', () => {
    it.each(['aaaaaaaaaaaa', 'password1234', ' '.repeat(12), 'qwertyuiop12', 'short pass'])('refuses %j for a new user', async (password) => {
      const r = await admin.json('POST', '/api/users', { email: `weak-${randomUUID()}@tactful.test`, name: 'Weak Password', role: 'clerk', password });
      expect(r.status).toBe(400);
      expect(r.body.type).toBe('/problems/validation');
    });

    it('accepts long passphrases of any characters, without composition rules', async () => {
      for (const password of ['correct horse battery staple', 'ünïcödé pässwörd mit 🦊 und 🐝', `${'Vq8#mZ2$rT'.split('').reverse().join('')} ${randomUUID()} ${randomUUID()} ${randomUUID()} tail`, 'lowercase only but long enough words here']) {
        const email = `pp-${randomUUID()}@tactful.test`;
        expect((await admin.json('POST', '/api/users', { email, name: 'Pass Phrase', role: 'viewer', password })).status).toBe(201);
        expect((await signIn(api, email, password)).status).toBe(200);
      }
    });

    it('a person changes their own password; their other sessions end, this one stays', async () => {
      const u = await createUser(db, 'clerk');
      const here = await login(api, u);
      const elsewhere = await login(api, u);
      expect((await here.json('POST', '/api/me/password', { currentPassword: 'not my password', newPassword: 'a brand new passphrase' })).status).toBe(403);
      expect((await here.json('POST', '/api/me/password', { currentPassword: PASSWORD, newPassword: 'password1234' })).status).toBe(400);
      const ok = await here.json('POST', '/api/me/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
      expect(ok).toMatchObject({ status: 200, body: { otherSessionsEnded: 1 } });
      expect((await elsewhere.json('GET', '/api/me')).status).toBe(401);
      expect((await here.json('GET', '/api/me')).status).toBe(200);
      expect((await signIn(api, u.email, PASSWORD)).status).toBe(401);
      expect((await signIn(api, u.email, 'a brand new passphrase')).status).toBe(200);
    });

    it('sign out everywhere ends every session of the person', async () => {
      const u = await createUser(db, 'viewer');
      const a = await login(api, u);
      const b = await login(api, u);
      const r = await a.json('POST', '/api/auth/logout-everywhere');
      expect(r).toMatchObject({ status: 200, body: { sessionsEnded: 2 } });
      expect((await a.json('GET', '/api/me')).status).toBe(401);
      expect((await b.json('GET', '/api/me')).status).toBe(401);
    });

    it('TOTP codes match RFC 6238’s test vectors (SHA-1)', () => {
      const key = Buffer.from('12345678901234567890');
      for (const [at, code] of [[59, '94287082'], [1111111109, '07081804'], [1234567890, '89005924'], [2000000000, '69279037']] as const)
        expect(hotp(key, Math.floor(at / 30), 8)).toBe(code);
      expect(totpAt(base32Encode(key), new Date(59_000))).toBe('287082');
    });

    it('TOTP: enrol, sign in with a code, a code works once, recovery codes work once', async () => {
      const u = await createUser(db, 'clerk');
      const c = await login(api, u);
      const enrol = await c.json('POST', '/api/me/totp');
      expect(enrol.status).toBe(200);
      expect(enrol.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Tactful/);
      const secret: string = enrol.body.secret;
      expect((await c.json('POST', '/api/me/totp/confirm', { code: '000000' })).status).toBe(400);
      const confirmed = await c.json('POST', '/api/me/totp/confirm', { code: totpAt(secret, api.clock.now) });
      expect(confirmed.status).toBe(200);
      const codes: string[] = confirmed.body.recoveryCodes;
      expect(codes).toHaveLength(10);
      expect((await c.json('GET', '/api/me')).body.mfa).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });

      const noCode = await signIn(api, u.email, PASSWORD);
      expect(noCode.status).toBe(401);
      expect(((await noCode.json()) as { type: string }).type).toBe('/problems/mfa-required');
      api.clock.advance(30_000);
      const code = totpAt(secret, api.clock.now);
      expect((await signIn(api, u.email, PASSWORD, undefined, code)).status).toBe(200);
      // The same code again (a shoulder-surfer, a replayed request) is refused.
      expect((await signIn(api, u.email, PASSWORD, undefined, code)).status).toBe(401);
      expect((await signIn(api, u.email, 'wrong password', undefined, totpAt(secret, new Date(api.clock.now.getTime() + 30_000)))).status).toBe(401);
      expect((await signIn(api, u.email, PASSWORD, undefined, codes[0].toUpperCase())).status).toBe(200);
      expect((await signIn(api, u.email, PASSWORD, undefined, codes[0])).status).toBe(401);
      expect((await signIn(api, u.email, PASSWORD, undefined, codes[1])).status).toBe(200);
    });

    it('with REQUIRE_MFA an admin or manager must enrol before doing anything else; others need not', async () => {
      const strict = await startApi(db, { config: { requireMfa: true } });
      try {
        const m = await login(strict, await createUser(db, 'manager'));
        const me = await m.json('GET', '/api/me');
        expect(me.body.mfa).toMatchObject({ enabled: false, required: true });
        const refused = await m.json('GET', '/api/queue');
        expect(refused).toMatchObject({ status: 403, body: { type: '/problems/mfa-enrolment-required' } });
        const clerk = await login(strict, await createUser(db, 'clerk'));
        expect((await clerk.json('GET', '/api/queue')).status).toBe(200);
        const secret: string = (await m.json('POST', '/api/me/totp')).body.secret;
        expect((await m.json('POST', '/api/me/totp/confirm', { code: totpAt(secret, strict.clock.now) })).status).toBe(200);
        expect((await m.json('GET', '/api/queue')).status).toBe(200);
        expect((await m.json('DELETE', '/api/me/totp', { currentPassword: PASSWORD })).status).toBe(409);
      } finally {
        await strict.close();
      }
    });
  });

  describe('3. a payment delivered twice under new event ids', () => {
    const webhook = (id: string, data: object) => {
      const body = JSON.stringify({ id, type: 'payment.received', occurredAt: '2026-03-02T14:00:00Z', data });
      const ts = Math.floor(api.clock.now.getTime() / 1000);
      return fetch(`${api.url}/api/webhooks/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tactful-signature': signWebhook(SECRET, ts, body) }, body });
    };
    const balance = async (accountId: string) => (await db.db.select().from(t.accounts).where(eq(t.accounts.id, accountId)))[0].balanceCents;
    const paymentsOf = async (accountId: string) => db.db.select().from(t.payments).where(eq(t.payments.accountId, accountId));

    it('holds the second for a person instead of crediting it, and a manager decides', async () => {
      const acc = await createAccount(db);
      const manager = await login(api, await createUser(db, 'manager'));
      await manager.json('POST', '/api/invoices', { account: { accountId: acc.id }, number: 'INV-9', issueDate: '2026-02-01', dueDate: '2026-03-01', amountCents: 100_000 }, { 'idempotency-key': `k-${randomUUID()}` });
      const data = { account: { accountId: acc.id }, amountCents: 40_000, method: 'check', reference: 'CHK 1042' };
      expect((await webhook('evt-1', data)).status).toBe(200);
      expect(await balance(acc.id)).toBe(60_000);
      const again = await webhook('evt-2', { ...data, reference: ' chk 1042' });
      expect(again.status).toBe(200);
      const body = (await again.json()) as { result: { held?: boolean; holdId: string } };
      expect(body.result.held).toBe(true);
      expect(await balance(acc.id)).toBe(60_000);
      expect(await paymentsOf(acc.id)).toHaveLength(1);
      expect(await count(db, 'payment.held_possible_duplicate')).toBeGreaterThanOrEqual(1);
      // The same delivery again is the same hold, not a second one.
      await webhook('evt-2', { ...data, reference: ' chk 1042' });
      expect(await db.db.select().from(t.paymentHolds).where(eq(t.paymentHolds.accountId, acc.id))).toHaveLength(1);

      const list = await manager.json('GET', '/api/payment-holds');
      expect(list.body.items.map((h: { id: string }) => h.id)).toContain(body.result.holdId);
      const clerk = await login(api, await createUser(db, 'clerk'));
      expect((await clerk.json('POST', `/api/payment-holds/${body.result.holdId}/release`)).status).toBe(403);
      const released = await manager.json('POST', `/api/payment-holds/${body.result.holdId}/release`);
      expect(released.status).toBe(200);
      expect(await balance(acc.id)).toBe(20_000);
      expect((await manager.json('POST', `/api/payment-holds/${body.result.holdId}/dismiss`)).status).toBe(409);
    });

    it('the REST endpoint holds too (202), and a dismissed hold credits nothing', async () => {
      const acc = await createAccount(db);
      const clerk = await login(api, await createUser(db, 'clerk'));
      const manager = await login(api, await createUser(db, 'manager'));
      await clerk.json('POST', '/api/invoices', { account: { accountId: acc.id }, number: 'INV-1', issueDate: '2026-02-01', dueDate: '2026-03-01', amountCents: 90_000 }, { 'idempotency-key': `k-${randomUUID()}` });
      const pay = (receivedAt: string) =>
        clerk.json('POST', '/api/payments', { account: { accountId: acc.id }, amountCents: 30_000, receivedAt, method: 'ach', reference: 'ACH-77' }, { 'idempotency-key': `k-${randomUUID()}` });
      expect((await pay('2026-03-01T10:00:00Z')).status).toBe(201);
      const second = await pay('2026-03-03T10:00:00Z');
      expect(second).toMatchObject({ status: 202, body: { held: true } });
      expect((await manager.json('POST', `/api/payment-holds/${second.body.holdId}/dismiss`)).status).toBe(200);
      expect(await balance(acc.id)).toBe(60_000);
      // Outside the window the same reference is a new payment (a monthly standing order).
      expect((await pay('2026-05-01T10:00:00Z')).status).toBe(201);
      expect(await balance(acc.id)).toBe(30_000);
    });
  });

  describe('4. docker-compose is safe by default', () => {
    // Parsed as YAML here; `docker-compose config -q` validates the whole file (see README).
    const compose = YAML.parse(fs.readFileSync(`${__dirname}/../../docker-compose.yml`, 'utf8')) as {
      services: Record<string, { ports?: string[]; environment?: Record<string, string> }>;
    };

    it('publishes every port on 127.0.0.1 only', () => {
      const ports = Object.values(compose.services).flatMap((s) => s.ports ?? []);
      expect(ports.length).toBeGreaterThan(0);
      for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:/);
    });

    it('does not publish PostgreSQL or Temporal gRPC at all, seeds no demo users and keeps cookies secure unless asked', () => {
      expect(compose.services.postgresql.ports ?? []).toEqual([]);
      expect(compose.services.temporal.ports ?? []).toEqual([]);
      expect(compose.services['tactful-migrate'].environment?.SEED_DEMO).toMatch(/:-false\}$/);
      expect(compose.services['tactful-api'].environment?.COOKIE_SECURE).not.toBe('false');
      const env = JSON.stringify(compose);
      expect(env).not.toMatch(/POSTGRES_PASSWORD"?:\s*"?tactful"?[,}]/);
    });
  });

  describe('4b. the first admin without the demo (scripts/create-admin.ts, run by docker-compose)', () => {
    // Asynchronous, so the API's event loop (and its keep-alive sockets) keeps running meanwhile.
    const run = (env: Record<string, string>) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/create-admin.ts'], { cwd: `${__dirname}/../..`, env: { ...process.env, DATABASE_URL: db.url, ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += String(d)));
        child.stderr.on('data', (d) => (stderr += String(d)));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });

    it('creates the admin once, refuses a weak password, and the admin signs in', async () => {
      const email = `first-${randomUUID().slice(0, 8)}@northwind.example`;
      const weak = await run({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'password1234' });
      expect(weak.status).toBe(1);
      expect(weak.stderr).toMatch(/ADMIN_PASSWORD: choose another password/);
      const ok = await run({ ADMIN_EMAIL: email, ADMIN_NAME: 'First Admin', ADMIN_PASSWORD: 'quiet harbor lamps at noon' });
      expect([ok.status, ok.stdout.trim()]).toEqual([0, `created admin ${email}`]);
      expect((await run({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'quiet harbor lamps at noon' })).stdout).toMatch(/exists already/);
      const r = await signIn(api, email, 'quiet harbor lamps at noon');
      expect(r.status).toBe(200);
      expect(((await r.json()) as { user: { role: string } }).user.role).toBe('admin');
    });
  });

  describe('5. anonymous requests cost no parsing and little writing', () => {
    it('an anonymous malformed or huge body is refused as unauthenticated, unread', async () => {
      const bad = await post(api, '/api/payments', '{"amountCents":', { 'idempotency-key': 'k-123456789' });
      expect(bad.status).toBe(401);
      const huge = await fetch(`${api.url}/api/imports?kind=payments`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b\n'.repeat(2_000_000) });
      expect(huge.status).toBe(401);
    });

    it('a signed-in request gets its route’s own limit', async () => {
      const clerk = await login(api, await createUser(db, 'clerk'));
      const big = await clerk.req('POST', '/api/payments', { note: 'x'.repeat(200_000) }, { 'idempotency-key': 'k-1234567890' });
      expect(big.status).toBe(413);
    });

    it('a flood of badly signed webhooks writes a handful of audit rows, not one each', async () => {
      const before = await count(db, 'authz.refused');
      for (let i = 0; i < 40; i++) await post(api, '/api/webhooks/payments', { id: `x${i}` }, { 'x-tactful-signature': 't=1,v1=00', 'x-forwarded-for': '198.51.100.99' });
      const rows = (await count(db, 'authz.refused')) - before;
      expect(rows).toBeGreaterThan(0);
      expect(rows).toBeLessThanOrEqual(5);
      expect(await count(db, 'audit.suppressed')).toBeGreaterThanOrEqual(1);
    });

    it('a flood of refused inbound-mail posts writes a handful of audit rows, not one each', async () => {
      const inbound = await startApi(db, { config: { trustProxy: true, inboundMail: { mailbox: 'ar@northwind.example', postmark: { user: 'postmark', pass: 'inbound-secret-0123456789' }, mailgunSigningKey: 'mailgun-key-0123456789' } } });
      try {
        const before = await count(db, 'inbound_mail.refused');
        for (let i = 0; i < 30; i++) {
          const r = await post(inbound, '/api/inbound/postmark', { MessageID: `x${i}` }, { authorization: `Basic ${Buffer.from('postmark:wrong').toString('base64')}`, 'x-forwarded-for': '198.51.100.120' });
          expect(r.status).toBe(401);
        }
        expect((await count(db, 'inbound_mail.refused')) - before).toBe(5);
      } finally {
        await inbound.close();
      }
    });

    it('an unconfigured webhook logs no error or stack trace per call', async () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const app = createApp({ db, temporal: new FakeGateway(db), clock: () => new Date(), logger: pino({ level: 'info' }, sink), config: defaultApiConfig({ webhookSecret: null }) });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/payments`;
        for (let i = 0; i < 30; i++) expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(503);
        const parsed = lines.map((l) => JSON.parse(l) as { level: number; err?: { stack?: string } });
        expect(parsed.filter((l) => l.level >= 50)).toEqual([]);
        expect(parsed.filter((l) => l.err?.stack)).toEqual([]);
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    });
  });

  describe('6. settings are checked before they reach a mail header or a link', () => {
    const identity = { name: 'Accounts Receivable', company: 'Northwind MSP', email: 'billing@northwind.example', remittanceAddress: ['Northwind MSP', '1 Main St'] };
    it.each([
      ['a display name with an address in it', 'sender_identity', { ...identity, name: 'X <evil@evil.example>, Y' }],
      ['a display name with a line break', 'sender_identity', { ...identity, name: 'AR\r\nBcc: evil@evil.example' }],
      ['a company with a line break', 'sender_identity', { ...identity, company: 'Northwind\nMSP' }],
      ['a javascript: pay link', 'pay_link_template', 'javascript:alert(1)//{accountId}'],
      ['a plain http pay link', 'pay_link_template', 'http://pay.northwind.example/{accountId}'],
      ['a pay link without its placeholder', 'pay_link_template', 'https://pay.northwind.example/'],
      ['a pay link whose placeholder makes the host', 'pay_link_template', 'https://{accountId}'],
    ])('refuses %s', async (_what, key, value) => {
      const r = await admin.json('PUT', `/api/settings/${key}`, { value });
      expect(r.status).toBe(400);
    });

    it('accepts a plain name and an https pay link with its placeholder', async () => {
      expect((await admin.json('PUT', '/api/settings/sender_identity', { value: { ...identity, name: "O'Brien & Daughters — AR" } })).status).toBe(200);
      expect((await admin.json('PUT', '/api/settings/pay_link_template', { value: 'https://pay.northwind.example/i/{accountId}?inv={invoiceNumber}' })).status).toBe(200);
    });

    it('refuses an edited subject with CR/LF', async () => {
      const acc = await createAccount(db);
      const draft = await createDraft(db, acc.id);
      const r = await admin.json('POST', `/api/queue/${draft.id}/decision`, { decision: 'approve_with_edits', subject: 'Hello\r\nBcc: evil@evil.example', bodyText: 'Hi' });
      expect(r.status).toBe(400);
    });
  });

  describe('7. CSP, HSTS and no-store', () => {
    it('sends a CSP without inline scripts and no-store on API answers', async () => {
      const r = await admin.req('GET', '/api/me');
      const csp = r.headers.get('content-security-policy') ?? '';
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
      expect(scriptSrc).toBe("'self'");
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('strict-transport-security')).toBeNull();
    });

    it('sends HSTS when served over TLS (secure cookies)', async () => {
      const secure = await startApi(db, { config: { session: { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000, cookieName: 'tactful_session', secureCookie: true } } });
      try {
        const r = await fetch(`${secure.url}/healthz`);
        expect(r.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
      } finally {
        await secure.close();
      }
    });
  });

  describe('8. the live feed by role', () => {
    it('a viewer gets no sign-ins, refusals or token changes; an admin does', async () => {
      const probe = `probe-${randomUUID()}@tactful.test`;
      await signIn(api, probe, 'some wrong password');
      const viewer = await login(api, await createUser(db, 'viewer'));
      const asViewer = await readStream(`${api.url}/api/stream`, { cookie: viewer.cookie }, 1500);
      expect(asViewer).toMatch(/event: activity/);
      expect(asViewer).not.toMatch(/"type":"auth\./);
      expect(asViewer).not.toMatch(/"type":"token\./);
      const asAdmin = await readStream(`${api.url}/api/stream`, { cookie: admin.cookie }, 1500);
      expect(asAdmin).toMatch(/"type":"auth\.login_succeeded"/);
    });
  });

  describe('9. /metrics and the OpenAPI document', () => {
    it('refuse anonymous readers; metrics take their token, OpenAPI any signed-in reader', async () => {
      expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${api.url}/api/openapi.json`)).status).toBe(401);
      expect((await admin.req('GET', '/api/openapi.json')).status).toBe(200);
      const scraped = await startApi(db, { config: { metrics: { token: 'prometheus-token-0123456789', public: false } } });
      try {
        expect((await fetch(`${scraped.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
        const ok = await fetch(`${scraped.url}/metrics`, { headers: { authorization: 'Bearer prometheus-token-0123456789' } });
        expect(ok.status).toBe(200);
        expect(await ok.text()).toMatch(/# HELP/);
      } finally {
        await scraped.close();
      }
    });
  });

  describe('10. dates in range, header-safe text, tokens that expire', () => {
    it.each(['1900-01-01', '9999-12-31', '2026-02-30', '2025-01-01', '2028-01-01'])('refuses a promise dated %s', async (promisedDate) => {
      const acc = await createAccount(db);
      expect((await admin.json('POST', `/api/accounts/${acc.id}/promises`, { promisedDate })).status).toBe(400);
    });

    it('accepts a promise in the coming weeks', async () => {
      const acc = await createAccount(db);
      expect((await admin.json('POST', `/api/accounts/${acc.id}/promises`, { promisedDate: '2026-03-20' })).status).toBe(201);
    });

    it('refuses invoices dated outside any sane range', async () => {
      const acc = await createAccount(db);
      const r = await admin.json('POST', '/api/invoices', { account: { accountId: acc.id }, number: 'INV-X', issueDate: '0001-01-01', dueDate: '9999-12-31', amountCents: 100 }, { 'idempotency-key': `k-${randomUUID()}` });
      expect(r.status).toBe(400);
    });

    it('refuses a payment received in year 9999 or before 1970', async () => {
      const acc = await createAccount(db);
      for (const receivedAt of ['9999-12-31T00:00:00Z', '1900-01-01T00:00:00Z'])
        expect((await admin.json('POST', '/api/payments', { account: { accountId: acc.id }, amountCents: 100, receivedAt, method: 'ach' }, { 'idempotency-key': `k-${randomUUID()}` })).status).toBe(400);
    });

    it('API tokens expire, and show when they were last used', async () => {
      const created = await admin.json('POST', '/api/tokens', { name: 'short-lived', scopes: ['read'], expiresInDays: 1 });
      expect(created.status).toBe(201);
      expect(created.body.expiresAt).toBe(new Date(api.clock.now.getTime() + 86_400_000).toISOString());
      const get = () => fetch(`${api.url}/api/accounts`, { headers: { authorization: `Bearer ${created.body.token}` } });
      expect((await get()).status).toBe(200);
      const listed = await admin.json('GET', '/api/tokens');
      expect(listed.body.items.find((x: { id: string }) => x.id === created.body.id).lastUsedAt).not.toBeNull();
      api.clock.advance(86_400_000 + 1000);
      admin = await login(api, admin.user);
      const expired = await get();
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { detail: string }).detail).toMatch(/expired/);
      const byDefault = await admin.json('POST', '/api/tokens', { name: 'default', scopes: ['read'] });
      expect(Date.parse(byDefault.body.expiresAt) - api.clock.now.getTime()).toBe(365 * 86_400_000);
      expect((await admin.json('POST', '/api/tokens', { name: 'forever', scopes: ['read'], expiresInDays: 3000 })).status).toBe(400);
    });
  });

  describe('11. the manager-only rule follows the step kind, not its id', () => {
    it('a clerk cannot approve a collections notice whose step was renamed', async () => {
      const renamed = { ...defaultPolicy, name: 'renamed', steps: defaultPolicy.steps.map((s) => (s.kind === 'collections' ? { ...s, id: 'friendly_final_step' } : s)) };
      await db.db.insert(t.policies).values({ name: 'renamed', version: 1, definition: renamed });
      const acc = await createAccount(db);
      const draft = await createDraft(db, acc.id, { stepId: 'friendly_final_step', channel: 'email' });
      const clerk = await login(api, await createUser(db, 'clerk'));
      const r = await clerk.json('POST', `/api/queue/${draft.id}/decision`, { decision: 'approve' });
      expect(r).toMatchObject({ status: 403, body: { type: '/problems/forbidden' } });
      const manager = await login(api, await createUser(db, 'manager'));
      expect((await manager.json('POST', `/api/queue/${draft.id}/decision`, { decision: 'approve' })).status).toBe(200);
    });

    it('a clerk still approves an ordinary reminder', async () => {
      const acc = await createAccount(db);
      const draft = await createDraft(db, acc.id);
      const clerk = await login(api, await createUser(db, 'clerk'));
      expect((await clerk.json('POST', `/api/queue/${draft.id}/decision`, { decision: 'approve' })).status).toBe(200);
    });
  });
});
