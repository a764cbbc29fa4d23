/**
 * During an outage every request is answered within 3 s with a 503 and Retry-After, and /readyz says
 * which part is down: Temporal that refuses connections or accepts them and never answers (a stopped
 * or a frozen server), and PostgreSQL that stops answering mid-connection.
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { createTemporalGateway, WorkflowUnavailableError } from '../../api/gateway';
import { openDatabase } from '../../db/client';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createAccount, createDraft, createUser, login, startApi } from '../api/support';

const BOUND_MS = 3_000;

/** A TCP server that accepts connections and never says a word: a frozen server. */
async function blackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function timed<T>(p: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const start = Date.now();
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: Date.now() - start, error };
}

describe('Temporal unreachable: every call of the gateway gives up within its deadline', () => {
  for (const kind of ['refusing', 'frozen'] as const) {
    it(`${kind} server`, async () => {
      const hole = kind === 'frozen' ? await blackhole() : undefined;
      const port = hole?.port ?? (await closedPort());
      const gateway = createTemporalGateway({ address: `127.0.0.1:${port}`, namespace: 'default' });
      try {
        const actor = { type: 'user' as const, id: randomUUID() };
        const calls: Record<string, Promise<unknown>> = {
          decision: gateway.decideDraft(randomUUID(), { messageId: randomUUID(), decision: 'approve', actor }),
          callOutcome: gateway.logCallOutcome(randomUUID(), { callTaskId: randomUUID(), outcome: 'no_answer', actor }),
          signal: gateway.factsChanged(randomUUID(), { factsVersion: 3, change: 'payment_recorded' }),
          state: gateway.state(randomUUID()),
          ping: gateway.ping(),
        };
        const results = await Promise.all(Object.entries(calls).map(async ([name, p]) => ({ name, ...(await timed(p)) })));
        for (const { name, ...r } of results) {
          expect([name, r.error instanceof WorkflowUnavailableError]).toEqual([name, true]);
          expect([name, r.ms < BOUND_MS]).toEqual([name, true]);
        }
      } finally {
        // The client's own retries of the abandoned calls run out at their gRPC deadline; closing the
        // channel under them would fail them loudly after the test.
        await new Promise((r) => setTimeout(r, 2_000));
        await gateway.close().catch(() => {});
        await hole?.close();
      }
    });
  }
});

describe('PostgreSQL stops answering', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('requests and /readyz answer 503 with Retry-After within 3 s, naming the part that is down', async () => {
    // A relay that forwards to PostgreSQL until frozen, then keeps every socket open and silent.
    let frozen = false;
    const sockets = new Set<net.Socket>();
    const target = new URL(db.url);
    const relay = net.createServer((client) => {
      sockets.add(client);
      client.on('error', () => {});
      if (frozen) return;
      const upstream = net.connect(Number(target.port), target.hostname);
      upstream.on('error', () => client.destroy());
      sockets.add(upstream);
      client.on('data', (d) => frozen || upstream.write(d));
      upstream.on('data', (d) => frozen || client.write(d));
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const url = new URL(db.url);
    url.port = String((relay.address() as net.AddressInfo).port);
    const viaRelay = openDatabase(url.toString(), { max: 3, connectTimeoutSeconds: 2 });
    const api = await startApi(viaRelay);
    try {
      const clerk = await login(api, await createUser(db, 'clerk'));
      const acc = await createAccount(db);
      const draft = await createDraft(db, acc.id);
      expect((await clerk.json('GET', '/api/queue')).status).toBe(200);

      frozen = true;
      const requests = [
        clerk.json('GET', '/api/accounts'),
        clerk.json('GET', '/api/queue'),
        clerk.json('GET', `/api/accounts/${acc.id}`),
        clerk.json('POST', `/api/queue/${draft.id}/decision`, { decision: 'approve' }),
        clerk.json('POST', '/api/payments', { account: { accountId: acc.id }, amountCents: 1_000, receivedAt: '2026-03-01T10:00:00Z', method: 'ach' }, { 'idempotency-key': `k-${randomUUID()}` }),
        clerk.json('POST', '/api/payments', { account: { accountId: acc.id }, amountCents: 2_000, receivedAt: '2026-03-01T10:00:00Z', method: 'ach' }, { 'idempotency-key': `k-${randomUUID()}` }),
        clerk.json('GET', '/api/metrics/aging'),
      ];
      const start = Date.now();
      const answers = await Promise.all(requests.map((p) => p.then((r) => ({ ...r, ms: Date.now() - start }))));
      for (const a of answers) {
        expect(a.status).toBe(503);
        expect(a.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(a.ms).toBeLessThan(BOUND_MS);
      }
      const t0 = Date.now();
      const ready = await fetch(`${api.url}/readyz`);
      expect(Date.now() - t0).toBeLessThan(BOUND_MS);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await ready.json()).toMatchObject({ down: ['postgres'], checks: { postgres: { ok: false }, temporal: { ok: true } } });
    } finally {
      await api.close();
      for (const s of sockets) s.destroy();
      relay.close();
      await viaRelay.sql.end({ timeout: 0 }).catch(() => {});
    }
  });
});
