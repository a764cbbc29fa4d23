/**
 * The same reply arriving through two doors at once (the IMAP reader and a provider's webhook, or two
 * readers after a failover), in randomized trials on a real PostgreSQL: it is recorded once and acted
 * on once — one dispute, one hold, one promise — whatever the interleaving.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import fc from 'fast-check';
import { createReplyHandler } from '../../db/facts/reply-intake';
import { replyTokenFor } from '../../db/replies';
import type { FactsChanged } from '../../domain/messages';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { insertAccount, insertInvoice } from '../support/fixtures';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.destroy());

const bodies = {
  dispute: 'The invoice is wrong - we only have 9 seats, not 12.',
  paid: 'We paid yesterday, ref 4471.',
  promise: "We'll pay on the 15th.",
};

it('a reply delivered several times at once is recorded and acted on once', async () => {
  let trial = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...(Object.keys(bodies) as Array<keyof typeof bodies>)), fc.integer({ min: 2, max: 5 }), fc.constantFrom<'copilot' | 'autonomous'>('copilot', 'autonomous'), async (which, copies, mode) => {
      trial++;
      const accountId = await insertAccount(t, { mode });
      await insertInvoice(t, accountId, { number: `INV-${trial}`, issueDate: '2026-10-01', dueDate: '2026-11-01', amountCents: 50_000 });
      const token = await replyTokenFor(t.db, accountId);
      const raw = await new MailComposer({ from: 'ap@northwind.test', to: `ar+${token}@northwind.example`, subject: 'Re: reminder', text: bodies[which], messageId: `<race-${trial}@northwind.test>`, date: new Date('2026-12-04T15:00:00Z') })
        .compile()
        .build();
      const signals: FactsChanged[] = [];
      const handler = () => createReplyHandler({ db: t.db, mailbox: 'ar@northwind.example', signal: async (_id, s) => void signals.push(s), clock: () => new Date('2026-12-04T15:01:00Z') });
      const results = await Promise.all(Array.from({ length: copies }, () => handler().handle(raw, 'race')));

      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await t.sql`select id from replies where account_id = ${accountId}`).toHaveLength(1);
      const [{ n: disputes }] = await t.sql`select count(*)::int as n from disputes where account_id = ${accountId}`;
      const [{ n: promises }] = await t.sql`select count(*)::int as n from promises where account_id = ${accountId}`;
      const [{ n: holds }] = await t.sql`select count(*)::int as n from replies where account_id = ${accountId} and status in ('verifying', 'holding', 'proposed')`;
      const [{ paused }] = await t.sql`select paused from accounts where id = ${accountId}`;
      expect({ disputes, promises, holds, paused }).toEqual({
        disputes: which === 'dispute' ? 1 : 0,
        promises: which === 'promise' && mode === 'autonomous' ? 1 : 0,
        holds: which === 'paid' || (which === 'promise' && mode === 'copilot') ? 1 : 0,
        // A reply never touches the managers' pause switch.
        paused: false,
      });
      // Every one of these changes one fact, so the workflow hears of it exactly once.
      expect(signals).toHaveLength(1);
    }),
    { numRuns: 40 },
  );
});
