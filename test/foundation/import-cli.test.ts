/**
 * `npm run import` beside a running product: it finds the database and Temporal from `npm start`'s own
 * settings (no extra variables), `--check` needs no database and ends with its one summary line, and
 * an import whose Temporal is unreachable still commits and says the reconciler will catch up.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { productConfig } from '../../scripts/import';
import * as F from '../fixtures/imports/reports';
import { createTestDatabase, type TestDatabase } from '../support/db';

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '../..');
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|PG_PORT|TEMPORAL_|DATA_DIR)/.test(k)));
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/import.ts'), ...args], { cwd: root, env: { ...clean, ...env }, timeout: 90_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const lastLine = (s: string) => s.trimEnd().split('\n').pop();

describe('npm run import', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-import-'));
  let db: TestDatabase;
  afterAll(async () => {
    await db?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("uses npm start's database and Temporal: embedded defaults, its ports, or the external ones", () => {
    expect(productConfig({})).toMatchObject({ databaseUrl: 'postgres://tactful:tactful@127.0.0.1:5433/tactful', temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'tactful-accounts' } });
    expect(productConfig({ PG_PORT: '6543', TEMPORAL_PORT: '7300' })).toMatchObject({ databaseUrl: 'postgres://tactful:tactful@127.0.0.1:6543/tactful', temporal: { address: '127.0.0.1:7300' } });
    expect(productConfig({ DATABASE_URL: 'postgres://u:p@db:5432/ar', TEMPORAL_ADDRESS: 'temporal:7233' })).toMatchObject({ databaseUrl: 'postgres://u:p@db:5432/ar', temporal: { address: 'temporal:7233' } });
  });

  it('--check reads a workbook with no database and ends with the summary line', async () => {
    const file = path.join(dir, 'aging.xlsx');
    fs.writeFileSync(file, await F.toXlsx(F.qboAgingDetail()));
    const ok = await cli(['--check', file], { PG_PORT: '1' });
    expect(ok.code).toBe(0);
    expect(lastLine(ok.stdout)).toBe('check: QuickBooks Online A/R Aging Detail, 5 invoices, 1 credits, 3 customers, open 7371.09 USD, 0 errors');

    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, F.toCsv(F.qboAgingDetail()).replace('"4,321.09","4,321.09"', '"4,321.09","4,3x1.09"'));
    const refused = await cli(['--check', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/line 15, Open balance: "4,3x1.09" is not an amount of money/);
    expect(lastLine(refused.stdout)).toMatch(/^check: QuickBooks Online A\/R Aging Detail, 4 invoices, 1 credits, 3 customers, open \S+ USD, \d+ errors$/);
  });

  it('says how to start the product when its database is not running', async () => {
    const r = await cli([path.join(dir, 'aging.xlsx')], { PG_PORT: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot reach the embedded PostgreSQL on 127.0.0.1:1.*npm start/);
  });

  it('commits the file and says the reconciler will catch up when Temporal cannot be reached', async () => {
    db = await createTestDatabase();
    const r = await cli([path.join(dir, 'aging.xlsx')], { DATABASE_URL: db.url, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Imported 6 invoices row\(s\): 3 client\(s\) created/);
    expect(r.stdout).toMatch(/3 not reached at 127.0.0.1:1 .*reconciler/);
    expect((await db.sql`select count(*)::int n from invoices`)[0].n).toBe(5);
  });
});
