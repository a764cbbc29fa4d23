import { defaultPolicy } from '../../domain/policy/default-policy';
import { previewSchedule } from '../../domain/policy/preview';
import type { AccountFacts } from '../../domain/facts';

const facts = (over: Partial<AccountFacts> = {}): AccountFacts => ({
  accountId: 'a1',
  name: 'Harbor Logistics',
  segment: 'standard',
  mode: 'copilot',
  timeZone: 'America/Chicago',
  businessHours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] },
  holidays: [],
  clientSince: '2022-03-01',
  paymentTermsDays: 30,
  paymentMethod: 'ach',
  paused: false,
  contacts: [{ name: 'Lee', email: 'ap@harbor.test' }],
  invoices: [{ id: 'i1', number: 'INV-1', issueDate: '2026-05-04', dueDate: '2026-06-03', amountCents: 250_000, balanceCents: 250_000, status: 'open' }],
  payments: [],
  promises: [],
  disputes: [],
  sent: [],
  currency: 'USD',
  ...over,
});

describe('previewSchedule', () => {
  it('lists the coming month of an unpaid invoice in autonomous mode, marking what still needs a person', () => {
    const items = previewSchedule({ policy: defaultPolicy, facts: facts(), now: '2026-05-25T12:00:00Z', days: 31, mode: 'autonomous' });
    expect(items.map((i) => i.stepId)).toEqual(['prevention', 'first_reminder', 'second_reminder', 'final_notice']);
    expect(items.map((i) => i.waitsForApproval)).toEqual([false, false, false, true]);
    // Every step lands on a weekday at or after 09:00 Chicago time (14:00Z in summer).
    for (const i of items) {
      const d = new Date(i.at);
      expect([1, 2, 3, 4, 5]).toContain(d.getUTCDay());
      expect(d.getUTCHours()).toBeGreaterThanOrEqual(14);
    }
  });

  it('in copilot mode every message waits, and a paid account previews nothing', () => {
    const copilot = previewSchedule({ policy: defaultPolicy, facts: facts(), now: '2026-05-25T12:00:00Z', days: 30, mode: 'copilot' });
    expect(copilot.every((i) => i.waitsForApproval)).toBe(true);
    const paid = facts({ invoices: [{ id: 'i1', number: 'INV-1', issueDate: '2026-05-04', dueDate: '2026-06-03', amountCents: 250_000, balanceCents: 0, status: 'paid' }] });
    expect(previewSchedule({ policy: defaultPolicy, facts: paid, now: '2026-05-25T12:00:00Z', days: 30, mode: 'autonomous' })).toEqual([]);
  });
});
