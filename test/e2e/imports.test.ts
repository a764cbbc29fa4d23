/**
 * The Import page in a real browser against the real servers: a manager drops a QuickBooks A/R Aging
 * Detail workbook as downloaded, reads the dry run, confirms; then drops the next month's report, sees
 * "paid in the books" and "settled in the books" before anything is written, confirms, and the paid-up
 * account's workflow goes idle. Screenshots go to test-artifacts/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import * as F from '../fixtures/imports/reports';
import { hasChromium, launch, newPage, screenshot, signIn } from './support/browser';
import { buildWeb } from './support/build';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(240_000);

const describeWithBrowser = hasChromium() ? describe : describe.skip;
const PASSWORD = 'tactful-demo';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describeWithBrowser('the Import page', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    buildWeb();
    [stack, browser] = await Promise.all([startStack({ alwaysOpen: true }), launch()]);
    page = await newPage(browser, stack.url);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const drop = async (name: string, mimeType: string, buffer: Buffer) => {
    await page.locator('input[type=file]').setInputFiles({ name, mimeType, buffer });
    await page.getByTestId('import-shape').waitFor();
  };
  const outcomes = async () => page.locator('tr[data-outcome]').evaluateAll((rows) => rows.map((r) => `${r.children[2].textContent} ${r.getAttribute('data-outcome')}`));

  it('a clerk has no Import page', async () => {
    await signIn(page, 'clerk@tactful.local', PASSWORD);
    await page.getByRole('link', { name: 'Copilot queue' }).waitFor();
    expect(await page.getByRole('link', { name: 'Import' }).count()).toBe(0);
    await page.context().clearCookies();
  });

  it('imports a QuickBooks workbook after a dry run, then a newer report records what was paid and settled in the books', async () => {
    await signIn(page, 'manager@tactful.local', PASSWORD);
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Import' }).waitFor();

    await drop('A_R Aging Detail.xlsx', XLSX, await F.toXlsx(F.qboAgingDetail()));
    expect(await page.getByTestId('import-shape').textContent()).toMatch(/QuickBooks Online A\/R Aging Detail, as of Nov 25, 2026/);
    expect(await outcomes()).toEqual(expect.arrayContaining(['1043 created', '1031 created', '1031 paid_before_import', 'CM-12 credit', '0991 created']));
    expect(await page.getByRole('table', { name: 'Totals reconciled to the file' }).getByText('reconciled').count()).toBeGreaterThanOrEqual(6);
    await screenshot(page, 'import-dry-run');
    expect((await stack.db.sql`select count(*)::int n from accounts where name = 'Nine Lives Inc'`)[0].n).toBe(0);

    await page.getByRole('button', { name: 'Confirm and import' }).click();
    await page.getByText('rows written as shown below').waitFor();
    const [nine] = await stack.db.sql`select id, balance_cents from accounts where name = 'Nine Lives Inc'`;
    expect(Number(nine.balance_cents)).toBe(432_109 + 80_000);
    // The workflow heard of it at once: it planned the account.
    await until('Nine Lives planned', async () => (await stack.db.sql`select next_action from accounts where id = ${nine.id} and workflow_seen_version = facts_version and next_action is not null`)[0]);

    await drop('A_R Aging Detail December.csv', 'text/csv', Buffer.from(F.toCsv(F.qboAgingDetailLater(), { bom: true, crlf: true })));
    expect(await outcomes()).toEqual(expect.arrayContaining(['1031 paid_in_books', '0990 settled_in_books', '0991 settled_in_books', '1043 unchanged']));
    await screenshot(page, 'import-newer-report-dry-run');
    expect((await stack.db.sql`select count(*)::int n from payments where basis in ('paid_in_books', 'settled_in_books')`)[0].n).toBe(0);

    await page.getByRole('button', { name: 'Confirm and import' }).click();
    await page.getByText('rows written as shown below').waitFor();
    expect((await stack.db.sql`select count(*)::int n from payments where basis in ('paid_in_books', 'settled_in_books')`)[0].n).toBe(3);
    const idle = await until('Nine Lives idle', async () => (await stack.db.sql`select next_action from accounts where id = ${nine.id} and balance_cents = 0 and workflow_seen_version = facts_version and next_action like 'idle%'`)[0]);
    expect(idle.next_action).toBe('idle:no_open_balance');
    expect((await stack.db.sql`select count(*)::int n from messages where account_id = ${nine.id} and status in ('pending_approval', 'approved')`)[0].n).toBe(0);
    await screenshot(page, 'import-confirmed');
  });

  it('shows a refused file line by line and writes nothing', async () => {
    const before = (await stack.db.sql`select count(*)::int n from invoices`)[0].n;
    await drop('xero.xlsx', XLSX, await F.toXlsx(F.xeroAgedDetail()));
    await page.getByText(/Nothing can be imported: 1 problem/).waitFor();
    expect(await page.getByText(/"Blue Fin, LLC" is an account in USD; this row is in GBP/).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Confirm and import' }).count()).toBe(0);
    expect((await stack.db.sql`select count(*)::int n from invoices`)[0].n).toBe(before);
  });
});
