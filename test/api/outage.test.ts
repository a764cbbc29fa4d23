/**
 * With Temporal or PostgreSQL stopped the API answers 503 with a clear message — never 500 — keeps
 * what it can (facts are stored while Temporal is down) and recovers by itself when they return.
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from '../../db/client';
import * as t from '../../db/schema';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createAccount, createDraft, createUser, login, startApi, type TestApi } from './support';

const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';

/** A TCP relay in front of PostgreSQL that the test can cut and restore, like a server going away. */
async function pgRelay(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const up = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server ? server.close(() => resolve()) : resolve();
      server = null;
    });
  await up();
  const url = new URL(target.toString());
  url.port = String(port);
  return { url: url.toString(), up, down };
}

describe('dependency outages', () => {
  let db: TestDatabase;
  let api: TestApi;
  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db, { config: { metrics: { token: METRICS_TOKEN, public: false } } });
  });
  afterAll(async () => {
    await api.close();
    await db.destroy();
  });

  it('Temporal down: facts are still stored, decisions answer 503, reads keep working, then it recovers', async () => {
    const clerk = await login(api, await createUser(db, 'clerk'));
    const acc = await createAccount(db);
    const draft = await createDraft(db, acc.id);
    api.gateway.down = true;

    const inv = await clerk.json('POST', '/api/invoices', { account: { accountId: acc.id }, number: 'T-1', issueDate: '2026-01-01', dueDate: '2026-01-31', amountCents: 10_000 }, { 'idempotency-key': `k-${randomUUID()}` });
    expect(inv.status).toBe(201);
    expect(inv.body.workflow).toEqual({ signaled: false, message: expect.stringMatching(/catch up automatically/) });
    const [stored] = await db.db.select().from(t.invoices).where(eq(t.invoices.accountId, acc.id));
    expect(stored.number).toBe('T-1');

    const decision = await clerk.json('POST', `/api/queue/${draft.id}/decision`, { decision: 'approve' });
    expect(decision).toMatchObject({ status: 503, body: { type: '/problems/workflow-unavailable', detail: expect.stringMatching(/Temporal cannot be reached/) } });
    expect((await clerk.json('GET', '/api/queue')).status).toBe(200);
    expect((await clerk.json('GET', `/api/accounts/${acc.id}/state`)).body).toMatchObject({ available: false });
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { postgres: { ok: true }, temporal: { ok: false } } });

    api.gateway.down = false;
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    expect((await clerk.json('POST', `/api/queue/${draft.id}/decision`, { decision: 'approve' })).status).toBe(200);
    const metrics = await (await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(metrics).toMatch(/tactful_workflow_signal_failures_total\{change="invoice_upserted"\} 1/);
  });

  it('PostgreSQL down: 503 with a clear message, not 500; recovers when it is back', async () => {
    const relay = await pgRelay(new URL(db.url));
    const viaRelay: Database = openDatabase(relay.url, { max: 2 });
    const relayed = await startApi(viaRelay);
    try {
      const viewer = await login(relayed, await createUser(db, 'viewer'));
      expect((await viewer.json('GET', '/api/accounts')).status).toBe(200);

      await relay.down();
      for (const path of ['/api/accounts', '/api/queue', '/api/metrics/aging', '/api/me']) {
        const r = await viewer.json('GET', path);
        expect([path, r.status, r.body.type]).toEqual([path, 503, '/problems/database-unavailable']);
        expect(r.body.detail).toMatch(/PostgreSQL cannot be reached/);
      }
      const login503 = await fetch(`${relayed.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@b.test', password: 'x' }) });
      expect(login503.status).toBe(503);
      expect((await fetch(`${relayed.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${relayed.url}/healthz`)).status).toBe(200);

      await relay.up();
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        status = (await viewer.json('GET', '/api/accounts')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
      expect((await fetch(`${relayed.url}/readyz`)).status).toBe(200);
    } finally {
      await relayed.close();
      await viaRelay.close();
      await relay.down();
    }
  });
});
