/**
 * The quick variant of `npm run chaos` (tens of trials, no timing assertions): the real parts, a
 * payment racing approvals and sends, duplicate and out-of-order webhooks, and a worker killed after
 * the SMTP server accepted. Nothing may be lost, delivered twice silently, or answered with a 500.
 */
import { runChaos } from '../../scripts/chaos/run';

it('quick chaos: nothing lost, no silent duplicate, no 5xx', async () => {
  const lines: string[] = [];
  const r = await runChaos({ quick: true, log: (l) => lines.push(l) });
  expect(r.summary).toMatch(/^chaos: \d+ trials, \d+ lost, \d+ silent duplicates, \d+ 5xx$/);
  expect(r.trials).toBeGreaterThanOrEqual(20);
  expect({ lost: r.lost, silentDuplicates: r.silentDuplicates, n5xx: r.n5xx }).toEqual({ lost: 0, silentDuplicates: 0, n5xx: 0 });
  const reminders = r.sections.reduce((s, x) => s + x.tally.remindersAfterPayment, 0);
  expect(reminders).toBe(0);
  expect(r.sections.flatMap((s) => s.tally.failures)).toEqual([]);
}, 600_000);
