import { createTestDatabase, type TestDatabase } from '../support/db';
import { createAccount, createDraft, createUser, login, startApi, type TestApi } from './support';

describe('smoke', () => {
  let db: TestDatabase;
  let api: TestApi;
  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db);
  });
  afterAll(async () => {
    await api.close();
    await db.destroy();
  });
  it('works', async () => {
    const clerk = await login(api, await createUser(db, 'clerk'));
    const a = await createAccount(db);
    const m = await createDraft(db, a.id);
    const q = await clerk.json('GET', '/api/queue?sort=risk');
    expect(q.status).toBe(200);
    expect(q.body.items).toHaveLength(1);
    const d = await clerk.json('GET', `/api/queue/${m.id}`);
    expect(d.status).toBe(200);
    const r = await clerk.json('POST', `/api/queue/${m.id}/decision`, { decision: 'approve' });
    expect(r).toMatchObject({ status: 200, body: { status: 'approved' } });
    const r2 = await clerk.json('POST', `/api/queue/${m.id}/decision`, { decision: 'approve' });
    expect(r2.status).toBe(409);
    const acc = await clerk.json('GET', `/api/accounts/${a.id}`);
    expect(acc.status).toBe(200);
    const list = await clerk.json('GET', `/api/accounts`);
    expect(list.body.total).toBe(1);
    const oa = await fetch(`${api.url}/api/openapi.json`);
    expect(oa.status).toBe(200);
  });
});
