/** The command center's numbers on a small ledger whose answers are worked out by hand, the live stream and the OpenAPI document. */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createAccount, createUser, login, startApi, type Client, type TestApi } from './support';
import { appendEvent } from '../../db/events';

describe('metrics, stream and OpenAPI', () => {
  let db: TestDatabase;
  let api: TestApi;
  let manager: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db, { config: { streamPollMs: 50 } });
    manager = await login(api, await createUser(db, 'manager'));
    const acc = await createAccount(db);
    const inv = (number: string, issueDate: string, dueDate: string, amountCents: number) =>
      manager.json('POST', '/api/invoices', { account: { accountId: acc.id }, number, issueDate, dueDate, amountCents }, { 'idempotency-key': `k-${randomUUID()}` });
    // As of 2026-03-31: M-1 is 59 days late (31–60) with 60,000 left after the March payment (oldest
    // first), M-2 is 10 days late (1–30), M-3 is not yet due.
    await inv('M-1', '2026-01-01', '2026-01-31', 100_000);
    await inv('M-2', '2026-02-19', '2026-03-21', 50_000);
    await inv('M-3', '2026-03-15', '2026-04-14', 30_000);
    await manager.json('POST', '/api/payments', { account: { accountId: acc.id }, amountCents: 40_000, receivedAt: '2026-03-20T12:00:00Z', method: 'ach' }, { 'idempotency-key': `k-${randomUUID()}` });
    // Received after the as-of date: must not count.
    await manager.json('POST', '/api/payments', { account: { accountId: acc.id }, amountCents: 10_000, receivedAt: '2026-04-02T12:00:00Z', method: 'ach' }, { 'idempotency-key': `k-${randomUUID()}` });
  });
  afterAll(async () => {
    await api.close();
    await db.destroy();
  });

  it('ages receivables as of a date, counting only payments received by then', async () => {
    const r = await manager.json('GET', '/api/metrics/aging?asOf=2026-03-31');
    expect(r.status).toBe(200);
    const by = Object.fromEntries(r.body.buckets.map((b: { bucket: string; balanceCents: number }) => [b.bucket, b.balanceCents]));
    expect(by).toEqual({ current: 30_000, '1_30': 50_000, '31_60': 60_000, '61_90': 0, '90_plus': 0 });
    expect(r.body.totalCents).toBe(140_000);
  });

  it('computes countback DSO, best possible DSO, ADD and CEI', async () => {
    const r = await manager.json('GET', '/api/metrics/kpis?asOf=2026-03-31&periodDays=90');
    expect(r.status).toBe(200);
    // Countback of 140,000: March's sales 30,000 (31 days), February's 50,000 (28 days), then 60,000 of January's 100,000.
    expect(r.body.dso).toBeCloseTo(31 + 28 + 31 * 0.6, 1);
    // Current AR 30,000 is covered by March's 30,000 of sales: the whole month.
    expect(r.body.bestPossibleDso).toBeCloseTo(31, 1);
    expect(r.body.add).toBeCloseTo(r.body.dso - r.body.bestPossibleDso, 1);
    // Opening AR 0 (as of 2025-12-31), sales 180,000, closing 140,000, closing current 30,000.
    expect(r.body.cei).toBeCloseTo((40_000 / 150_000) * 100, 1);
  });

  it('serves the other command-center figures', async () => {
    for (const p of ['/api/metrics/steps', '/api/metrics/promises', '/api/metrics/approval-wait', '/api/metrics/stages']) expect((await manager.json('GET', p)).status).toBe(200);
  });

  it('lists a payment held as a possible duplicate among what needs a person', async () => {
    const [acc] = await db.sql`select id from accounts limit 1`;
    const pay = () =>
      manager.json('POST', '/api/payments', { account: { accountId: acc.id }, amountCents: 1_234, receivedAt: '2026-03-25T12:00:00Z', method: 'ach', reference: 'WIRE-77' }, { 'idempotency-key': `k-${randomUUID()}` });
    expect((await pay()).status).toBeLessThan(300);
    expect((await pay()).status).toBe(202);
    const needs = await manager.json('GET', '/api/metrics/needs-person');
    expect(needs.status).toBe(200);
    expect(needs.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'possible_duplicate_payment', accountId: acc.id, detail: 'WIRE-77' })]));
  });

  it('streams new events as server-sent events', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${api.url}/api/stream`, { headers: { cookie: manager.cookie }, signal: ctrl.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    await appendEvent(db.db, { type: 'test.live', actor: { type: 'system', name: 'test' } });
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes('test.live') && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    expect(text).toMatch(/event: activity\ndata: .*"type":"test.live"/);
  });

  it('publishes an OpenAPI document generated from the route table', async () => {
    const doc = (await manager.json('GET', '/api/openapi.json')).body as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/queue/{id}/decision', '/api/webhooks/payments', '/api/imports', '/api/metrics/kpis']));
  });
});
