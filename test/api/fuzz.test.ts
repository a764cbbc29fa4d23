/**
 * Thousands of malformed requests against every route — wrong types, huge strings, negative money,
 * unknown fields, broken JSON and CSV, odd headers — must never produce a 5xx, and no broken import may
 * leave part of a file behind.
 */
import { sql } from 'drizzle-orm';
import { apiRoutes } from '../../api/routes/index';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createAccount, createDraft, createUser, login, startApi, type Client, type TestApi } from './support';

/** Deterministic, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz', () => {
  let db: TestDatabase;
  let api: TestApi;
  let admin: Client;
  let accountId: string;
  let messageId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db);
    admin = await login(api, await createUser(db, 'admin'));
    const acc = await createAccount(db);
    accountId = acc.id;
    messageId = (await createDraft(db, acc.id)).id;
  });
  afterAll(async () => {
    await api.close();
    await db.destroy();
  });

  it('never answers 5xx to malformed requests', async () => {
    const rand = rng(20260302);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const values: (() => unknown)[] = [
      () => null,
      () => -Math.floor(rand() * 1e6),
      () => rand() * 1e20,
      () => 1.5,
      () => Number.MAX_SAFE_INTEGER + 2,
      () => 'x'.repeat(Math.floor(rand() * 300_000)),
      () => '\u0000\ud800💥<script>',
      () => ({ $gt: '' }),
      () => [1, 'a', null],
      () => true,
      () => '2026-02-30',
      () => '../../etc/passwd',
      () => accountId,
      () => messageId,
      () => 'not-a-uuid',
      () => ({ accountId: 'nope' }),
      () => ({ externalRef: 'x'.repeat(500) }),
      () => '',
    ];
    const fields = ['email', 'password', 'decision', 'reason', 'subject', 'bodyText', 'messageIds', 'mode', 'promisedDate', 'amountCents', 'account', 'number', 'issueDate', 'dueDate', 'receivedAt', 'method', 'kind', 'outcome', 'text', 'resolution', 'name', 'role', 'scopes', 'externalRef', 'contacts', '__proto__', 'constructor', 'unknownField'];
    const fill = (p: string) => p.replace(/:(\w+)/g, () => pick([accountId, messageId, 'abc', '%00', '00000000-0000-0000-0000-000000000000', 'x'.repeat(300)]));
    const routes = apiRoutes.filter((r) => r.path !== '/api/stream' && !r.path.startsWith('/api/auth/logout'));
    const failures: string[] = [];
    const N = 2500;
    for (let i = 0; i < N; i++) {
      const r = pick(routes);
      const path = fill(r.path);
      const query = rand() < 0.5 ? `?${pick(['page', 'pageSize', 'sort', 'asOf', 'kind', 'dryRun', 'before', 'limit', 'since', 'x'])}=${encodeURIComponent(String(pick(values)()).slice(0, 2000).replace(/[\ud800-\udfff]/g, '?'))}${rand() < 0.3 ? '&page=1&page=2' : ''}` : '';
      const body: Record<string, unknown> = {};
      for (let k = 0; k < 1 + Math.floor(rand() * 5); k++) body[pick(fields)] = pick(values)();
      const shape = rand();
      let payload: string | undefined;
      let type = 'application/json';
      if (shape < 0.55) payload = JSON.stringify(body);
      else if (shape < 0.65) payload = '{"broken": ';
      else if (shape < 0.72) payload = JSON.stringify(pick(values)());
      else if (shape < 0.8) {
        type = 'text/csv';
        payload = `Customer,Date,Num,Due Date,Amount\n${Array.from({ length: 3 }, () => [pick(values)(), pick(values)(), pick(values)(), pick(values)(), pick(values)()].map((v) => String(v).slice(0, 100)).join(',')).join('\n')}`;
      } else if (shape < 0.85) {
        type = pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-7']);
        payload = 'a=1&b=2';
      } else if (shape < 0.9) payload = JSON.stringify({ big: 'y'.repeat(1_200_000) });
      else payload = undefined;
      const method = rand() < 0.9 ? r.method.toUpperCase() : pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
      const headers: Record<string, string> = { cookie: admin.cookie, 'x-csrf-token': admin.csrf };
      if (payload !== undefined && method !== 'GET') headers['content-type'] = type;
      if (rand() < 0.3) headers['idempotency-key'] = pick(['short', `fuzz-key-${i}`, 'é'.repeat(20), 'k'.repeat(300)]);
      if (rand() < 0.05) headers.authorization = pick(['Bearer ', 'Bearer tct_' + 'a'.repeat(40), 'Basic xyz']);
      const res = await fetch(`${api.url}${path}${query}`, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : payload });
      await res.arrayBuffer();
      if (res.status >= 500) failures.push(`${method} ${path}${query.slice(0, 80)} (${type}, ${payload?.slice(0, 120)}) → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('leaves nothing half-imported: a file with one bad row among many good ones writes nothing', async () => {
    // The random requests above may have signed the admin out everywhere (a route of its own): sign in anew.
    admin = await login(api, await createUser(db, 'admin'));
    const [before] = await db.db.execute<{ i: number; p: number; a: number }>(sql`select (select count(*)::int from invoices) i, (select count(*)::int from payments) p, (select count(*)::int from accounts) a`);
    const rand = rng(7);
    const corruptions = [(r: string[]) => (r[4] = '-$abc'), (r: string[]) => (r[1] = '13/45/2026'), (r: string[]) => (r[0] = ''), (r: string[]) => (r[3] = '2025-01-01'), (r: string[]) => (r[2] = 'x'.repeat(500))];
    for (let f = 0; f < 40; f++) {
      const rows = Array.from({ length: 30 }, (_, i) => [`Fuzz Client ${f % 5}`, '2026-01-10', `F-${f}-${i}`, '2026-02-10', `$${(100 + i).toFixed(2)}`]);
      const bad = rows[Math.floor(rand() * rows.length)];
      corruptions[f % corruptions.length](bad);
      const csv = `Customer,Date,Num,Due Date,Amount\n${rows.map((r) => r.map((c) => `"${c}"`).join(',')).join('\n')}\n`;
      const r = await admin.json('POST', '/api/imports', csv);
      expect(r.status).toBe(422);
    }
    const [after] = await db.db.execute<{ i: number; p: number; a: number }>(sql`select (select count(*)::int from invoices) i, (select count(*)::int from payments) p, (select count(*)::int from accounts) a`);
    expect(after).toEqual(before);
  });
});
