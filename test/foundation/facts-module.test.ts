/**
 * The account's facts have one home (db/facts): the API, the importer, the webhooks and the workflow's
 * activities read and write them through it. These checks read the source as a reviewer would, so a new
 * route that writes a payment or a message inline fails here instead of in a deadlock months later.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.tsx?$/.test(e.name)) out.push(rel);
  }
  return out;
}

/** Tables that hold an account's facts or its paper trail: written only by the facts module. */
const FACT_TABLES = [
  'accounts',
  'contacts',
  'invoices',
  'payments',
  'paymentAllocations',
  'imports',
  'replyTokens',
  'promises',
  'disputes',
  'messages',
  'outbox',
  'callTasks',
  'callSheets',
  'recommendations',
  'policies',
  'paymentHolds',
  'replies',
];
const SQL_TABLES = ['accounts', 'contacts', 'invoices', 'payments', 'payment_allocations', 'promises', 'disputes', 'messages', 'outbox', 'call_tasks', 'call_sheets', 'recommendations', 'policies', 'payment_holds', 'replies', 'imports'];
const write = new RegExp(`\\.(insert|update|delete)\\(t\\.(${FACT_TABLES.join('|')})\\b|(insert into|update|delete from)\\s+(${SQL_TABLES.join('|')})\\b`, 'i');
const accountEvent = /appendEvent\([^)]*\{\s*accountId/;

/** Files that write such rows for a reason other than recording a fact. */
const NOT_FACT_SOURCES: Record<string, string> = {
  'api/routing.ts': 'the audit trail of refused requests names the account asked for; it records no fact',
  'scripts/record-histories.ts': 'builds the recorded workflow histories the replay test reads, on a scratch database',
  'scripts/simulate/facts.ts': "generates the benchmark's portfolio on the benchmark's own database, set-based for speed",
};

describe('one home for the account facts', () => {
  it('the API imports nothing from activities/', () => {
    const offenders = sources('api').filter((f) => /from '(\.\.\/)+activities\//.test(fs.readFileSync(path.join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('no route, activity, script or worker writes a fact table or an account event itself', () => {
    const offenders: string[] = [];
    for (const f of [...sources('api'), ...sources('activities'), ...sources('worker'), ...sources('scripts')].filter((x) => !(x in NOT_FACT_SOURCES))) {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      text.split('\n').forEach((line, i) => {
        if (write.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
      });
      // An event call may span lines: read it from the call to its closing data.
      for (const m of text.matchAll(/appendEvent\((?:[^;]|\n)*?;/g)) if (accountEvent.test(m[0].replace(/\s+/g, ' '))) offenders.push(`${f}: ${m[0].slice(0, 80)}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the check sees an inline write (it is not vacuous)', () => {
    expect(write.test('await tx.update(t.messages).set({ status })')).toBe(true);
    expect(accountEvent.test("await appendEvent(tx, { accountId: a.id, type: 'x', actor })")).toBe(true);
    expect(write.test('await tx.update(t.sessions).set({})')).toBe(false);
    expect(write.test('insert into invoices (account_id, number)')).toBe(true);
  });
});
