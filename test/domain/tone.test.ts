import {
  calibrateTone,
  paymentMethodHint,
  paymentMethods,
  toneFactsFromHistory,
  warmth,
  warmthThresholds,
  type ToneFacts,
} from '../../domain';
import { account, at, invoice, paidHistory } from './fixtures';

const facts = (over: Partial<ToneFacts> = {}): ToneFacts => ({
  tenureMonths: 18,
  onTimeShare12m: 0.8,
  avgDaysLate: 2,
  brokenPromises12m: 0,
  paidInvoices12m: 10,
  segment: 'standard',
  ...over,
});

describe('toneFactsFromHistory', () => {
  it('computes tenure, on-time share and lateness from paid invoices of the last 12 months', () => {
    const now = at('2025-07-01');
    const t = toneFactsFromHistory(
      account({
        clientSince: '2022-06-15',
        invoices: [
          ...paidHistory('2025-06-20', [0, 0, 10, 30]),
          // Paid 14 months ago: outside the window.
          invoice('old', '2024-04-01', 0, { status: 'paid', paidAt: at('2024-05-01') }),
          // Still open and void invoices are not history.
          invoice('open', '2025-06-01', 10_000),
          invoice('void', '2025-05-01', 0, { status: 'void' }),
        ],
      }),
      now,
    );
    expect(t).toEqual({
      tenureMonths: 36,
      onTimeShare12m: 0.5,
      avgDaysLate: 10,
      brokenPromises12m: 0,
      paidInvoices12m: 4,
      segment: 'standard',
    });
  });

  it('counts early payment as on time, not as negative lateness', () => {
    const t = toneFactsFromHistory(account({ invoices: paidHistory('2025-06-20', [-5, -5, 0]) }), at('2025-07-01'));
    expect(t.avgDaysLate).toBe(0);
    expect(t.onTimeShare12m).toBe(1);
  });

  it('counts broken promises, and open ones past their date plus grace, within 12 months', () => {
    const promises = [
      { id: 'a', promisedDate: '2025-03-01', status: 'broken' as const, createdAt: at('2025-02-20') },
      { id: 'b', promisedDate: '2025-06-25', status: 'open' as const, createdAt: at('2025-06-20') },
      { id: 'c', promisedDate: '2025-06-29', status: 'open' as const, createdAt: at('2025-06-20') },
      { id: 'd', promisedDate: '2024-03-01', status: 'broken' as const, createdAt: at('2024-02-20') },
      { id: 'e', promisedDate: '2025-04-01', status: 'kept' as const, createdAt: at('2025-03-20') },
    ];
    expect(toneFactsFromHistory(account({ promises }), at('2025-07-01')).brokenPromises12m).toBe(2);
  });

  it('has no on-time share without paid invoices', () => {
    const t = toneFactsFromHistory(account({ clientSince: '2025-06-01' }), at('2025-07-01'));
    expect(t).toMatchObject({ tenureMonths: 1, onTimeShare12m: null, avgDaysLate: null, paidInvoices12m: 0 });
  });
});

describe('warmth', () => {
  it('is warm for a three-year client who always pays on time', () => {
    const w = warmth(facts({ tenureMonths: 36, onTimeShare12m: 1, avgDaysLate: 0 }));
    expect(w).toMatchObject({ level: 'warm', score: 4 });
    expect(w.reasons).toEqual(['+2 client for 36 months', '+2 100% paid on time in 12 months']);
  });

  it('is firm for a habitual 30-days-late payer, however long they have been a client', () => {
    expect(warmth(facts({ tenureMonths: 48, onTimeShare12m: 0, avgDaysLate: 30 })).level).toBe('firm');
    expect(warmth(facts({ tenureMonths: 6, onTimeShare12m: 0.1, avgDaysLate: 30 })).level).toBe('firm');
  });

  it('is neutral for a new client with too little history to judge', () => {
    const w = warmth(facts({ tenureMonths: 2, onTimeShare12m: 1, avgDaysLate: 0, paidInvoices12m: warmthThresholds.minPaidInvoices - 1 }));
    expect(w.level).toBe('neutral');
    expect(w.reasons.join()).toMatch(/too little payment history/);
  });

  it('pushes firmer with broken promises', () => {
    const good = facts({ tenureMonths: 36, onTimeShare12m: 1, avgDaysLate: 0 });
    expect(warmth({ ...good, brokenPromises12m: 1 }).level).toBe('neutral');
    const average = facts();
    expect(warmth(average).level).toBe('neutral');
    expect(warmth({ ...average, brokenPromises12m: 2 }).level).toBe('firm');
  });

  it('never puts a key account below neutral', () => {
    const bad = facts({ onTimeShare12m: 0, avgDaysLate: 40, brokenPromises12m: 3 });
    expect(warmth(bad).level).toBe('firm');
    const key = warmth({ ...bad, segment: 'key_account' });
    expect(key.level).toBe('neutral');
    expect(key.reasons.at(-1)).toMatch(/key account/);
  });

  it('gives the long-term segment a little extra warmth', () => {
    const f = facts({ tenureMonths: 12, onTimeShare12m: 0.8, avgDaysLate: 3 });
    expect(warmth(f).level).toBe('neutral');
    expect(warmth({ ...f, segment: 'long_term' }).level).toBe('warm');
  });
});

describe('calibrateTone', () => {
  it('moves the stage tone one notch towards the client’s warmth', () => {
    expect(calibrateTone('neutral', 'warm')).toBe('warm');
    expect(calibrateTone('neutral', 'firm')).toBe('firm');
    expect(calibrateTone('neutral', 'neutral')).toBe('neutral');
    expect(calibrateTone('firm', 'warm')).toBe('neutral');
    expect(calibrateTone('warm', 'firm')).toBe('neutral');
  });

  it('stays on the scale', () => {
    expect(calibrateTone('warm', 'warm')).toBe('warm');
    expect(calibrateTone('firm', 'firm')).toBe('firm');
  });
});

describe('paymentMethodHint', () => {
  it('shapes the ask by payment method', () => {
    expect(paymentMethodHint('ach')).toMatchObject({ topic: 'bank_verification', ask: expect.stringMatching(/bank account.*verification/) });
    expect(paymentMethodHint('card')).toMatchObject({ topic: 'card_update', ask: expect.stringMatching(/update the card.*expired/) });
    expect(paymentMethodHint('check')).toMatchObject({ topic: 'remittance_address', ask: expect.stringMatching(/remittance address/) });
    expect(paymentMethodHint('wire')).toMatchObject({ topic: 'wire_instructions' });
    expect(paymentMethodHint('other')).toMatchObject({ topic: 'payment_options' });
  });

  it('has a distinct hint for every payment method', () => {
    expect(new Set(paymentMethods.map((m) => paymentMethodHint(m).topic)).size).toBe(paymentMethods.length);
  });
});
