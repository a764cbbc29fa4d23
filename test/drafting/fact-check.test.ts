import { factCheck, findAmounts, findDates } from '../../domain/drafting/fact-check';
import { renderTemplateDraft } from '../../domain/drafting/templates';
import type { DraftInput, DraftOutput } from '../../domain/drafting/types';
import { PAY_LINK, draftCase } from './builders';

const good = (input: DraftInput): DraftOutput => renderTemplateDraft(input);
const withText = (input: DraftInput, extra: string, subject?: string): DraftOutput => {
  const d = good(input);
  return { ...d, subject: subject ?? d.subject, bodyText: `${d.bodyText}\n\n${extra}` };
};
const failures = (input: DraftInput, draft: DraftOutput) => factCheck(draft, input).failures;

describe('fact check', () => {
  const reminder = draftCase({ kind: 'first_reminder' });

  test('reads money in the usual formats', () => {
    expect(findAmounts('owe $1,234.56 and 99.10 USD, USD 12 or 1,000.00', 'USD').map((m) => m.cents)).toEqual([123_456, 9_910, 1_200, 100_000]);
    expect(findAmounts('INV-10231 is 30 days old, call 312 555 0142', 'USD')).toEqual([]);
  });

  test('reads dates in the usual formats', () => {
    expect(findDates('due 2025-03-17, March 17, 2025, Mar 17, 17 March 2025, 3/17/2025 and Friday, March 21').map((d) => [d.month, d.day])).toEqual([
      [3, 17],
      [3, 17],
      [3, 17],
      [3, 17],
      [3, 17],
      [3, 21],
    ]);
  });

  test('accepts balances, invoice amounts and the total; rejects an invented amount', () => {
    expect(failures(reminder, withText(reminder, 'INV-10262 was $922.50; $422.50 remains; in all 2267.50 USD.'))).toEqual([]);
    const bad = failures(reminder, withText(reminder, 'The balance is now $2,367.50.'));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/\$2,367\.50.*not an open balance/);
  });

  test('rejects an invoice number that is not one of the account\'s open invoices', () => {
    expect(failures(reminder, withText(reminder, 'This includes INV-10999.'))[0]).toMatch(/INV-10999.*not one of this account's invoices/);
    expect(failures(reminder, withText(reminder, 'See invoice #7731.'))[0]).toMatch(/7731/);
    const paid = draftCase({ kind: 'first_reminder', facts: {} });
    paid.facts.invoices.push({ ...paid.facts.invoices[0], id: 'inv_9', number: 'INV-9001', balanceCents: 0, status: 'paid' });
    expect(failures(paid, withText(paid, 'Thanks for INV-9001.'))[0]).toMatch(/INV-9001.*not open/);
  });

  test('rejects a date that is not a due date, promise, deadline or earlier message', () => {
    expect(failures(reminder, withText(reminder, 'It was due on March 17, 2025.'))).toEqual([]);
    expect(failures(reminder, withText(reminder, 'Please pay by April 2, 2025.'))[0]).toMatch(/April 2, 2025/);
    expect(failures(reminder, withText(reminder, 'Due February 30, 2025.'))[0]).toMatch(/not a real date/);
    expect(failures(reminder, withText(reminder, 'Due Tuesday, March 17, 2025.'))[0]).toMatch(/wrong day of the week/);
  });

  test('only the pay link may be linked', () => {
    expect(failures(reminder, withText(reminder, 'Or pay at https://evil.example/pay.'))[0]).toMatch(/evil\.example/);
    const d = good(reminder);
    const html = { ...d, bodyHtml: d.bodyHtml.replace(/href="[^"]*"/, 'href="https://pay.other.example/x"') };
    const f = failures(reminder, html);
    expect(f.some((x) => /links to https:\/\/pay\.other\.example/.test(x))).toBe(true);
    expect(f.some((x) => /HTML body does not link to the pay link/.test(x))).toBe(true);
  });

  test('requires the pay link where the step requires it', () => {
    const d = good(reminder);
    const without = { ...d, bodyText: d.bodyText.split(PAY_LINK).join('our website'), claims: { ...d.claims, links: [] } };
    expect(failures(reminder, without)).toContain('the text body does not contain the pay link');
  });

  test.each([
    ['prevention', 'A late fee of 1.5% applies.', /late fee/],
    ['first_reminder', 'Otherwise we will suspend your service.', /suspension/],
    ['first_reminder', 'This is your final reminder.', /"final"/],
    ['second_reminder', 'Services will be interrupted on March 27, 2025.', /interruption/],
    ['second_reminder', 'This is our final reminder.', /"final"/],
    ['final_notice', 'We will then refer this to a collection agency.', /collections/],
    ['final_notice', 'We may take legal action.', /legal action/],
    ['service_pause', 'Our attorney will contact you.', /legal action/],
  ] as const)('%s may not say: %s', (kind, sentence, expected) => {
    const input = draftCase({ kind });
    const f = failures(input, withText(input, sentence));
    expect(f.some((x) => expected.test(x))).toBe(true);
  });

  test('consequences are allowed from the second reminder, collections only in collections', () => {
    const second = { ...draftCase({ kind: 'second_reminder' }), lateFees: { kind: 'clause' as const, text: 'a late fee of 1.5% a month on overdue balances' } };
    expect(failures(second, withText(second, 'Late fees may apply under the agreement.'))).toEqual([]);
    const collections = draftCase({ kind: 'collections' });
    expect(failures(collections, withText(collections, 'We will refer this to a collection agency.'))).toEqual([]);
  });

  test('the policy flags narrow what a step may say', () => {
    const second = draftCase({ kind: 'second_reminder' });
    second.rules = { ...second.rules, allowsConsequences: false };
    expect(failures(second, withText(second, 'Late fees may apply.'))[0]).toMatch(/late fee/);
  });

  test('a final notice must state the interruption date', () => {
    const input = draftCase({ kind: 'final_notice' });
    const d = good(input);
    const strip = (s: string) => s.replace(/ on March 30, 2025/g, '').replace(/ from March 30, 2025/g, '');
    expect(failures(input, { ...d, subject: strip(d.subject), bodyText: strip(d.bodyText), bodyHtml: strip(d.bodyHtml) })).toContain(
      'does not state the service interruption date, March 30, 2025',
    );
  });

  test('declared claims are checked too', () => {
    const d = good(reminder);
    const f = failures(reminder, { ...d, claims: { ...d.claims, amountsCents: [1], invoiceNumbers: ['INV-1'], dates: ['2030-01-01'], links: ['https://x.example'] } });
    expect(f).toHaveLength(4);
  });

  test('rejects markup that is not simple email HTML', () => {
    const d = good(reminder);
    expect(failures(reminder, { ...d, bodyHtml: `${d.bodyHtml}<script>alert(1)</script>` })[0]).toMatch(/<script>/);
  });

  test('names of the sender, the client and the address are not read as claims', () => {
    const input = draftCase({ kind: 'first_reminder', method: 'check' });
    input.sender = { ...input.sender, company: 'Final Mile IT', remittanceAddress: ['PO Box 2267.50', 'Suite #88'] };
    expect(failures(input, good(input))).toEqual([]);
  });

  describe('claims the statement contradicts', () => {
    // Due in eleven days on the send date: INV-10262 is not yet due, so $2,267.50 is owed but only $1,845.00 is overdue.
    const mixed = draftCase({ kind: 'first_reminder' });
    const firstContact = { ...draftCase({ kind: 'second_reminder' }), earlierMessages: [] };

    test('refuses the total owed or an upcoming invoice called overdue, and a wrong days-late count', () => {
      expect(failures(mixed, withText(mixed, 'Your overdue balance is $2,267.50.'))[0]).toMatch(/calls \$2,267\.50 overdue, but only \$1,845\.00 is overdue/);
      expect(failures(mixed, withText(mixed, 'Invoice INV-10262 is past due.'))[0]).toMatch(/calls invoice INV-10262 overdue, but it is not due until March 31, 2025/);
      expect(failures(mixed, withText(mixed, 'Invoice INV-10262 is coming due; $2,267.50 is owed in all.'))).toEqual([]);
      expect(failures(mixed, withText(mixed, 'It is now 45 days overdue.'))[0]).toMatch(/45 days overdue.*3 days past due/);
    });

    test('refuses a first contact that implies an earlier one, in any words', () => {
      for (const line of ['We are following up on the invoices below.', 'As we mentioned, payment is late.', 'We have not heard from you.', 'This is a second reminder.', 'We are writing again.']) {
        expect(failures(firstContact, withText(firstContact, line)).join('\n')).toMatch(/first message about these invoices/);
      }
      const followUp = draftCase({ kind: 'second_reminder' });
      expect(failures(followUp, withText(followUp, 'We are following up on the invoices below.'))).toEqual([]);
    });

    test('refuses late fees the agreement does not have, terms no invoice has, and another country\'s bank rail', () => {
      const second = draftCase({ kind: 'second_reminder' });
      expect(failures(second, withText(second, 'Late fees will apply.'))[0]).toMatch(/agreement on record has no late fees/);
      expect(failures(second, withText(second, 'Invoices are payable within 45 days.'))[0]).toMatch(/terms of 45 days/);
      expect(failures(second, withText(second, 'Invoices are payable within 30 days.'))).toEqual([]);
      const uk = draftCase({ kind: 'first_reminder', facts: { country: 'GB', currency: 'GBP', timeZone: 'Europe/London' } });
      expect(failures(uk, withText(uk, 'Please pay by ACH.'))[0]).toMatch(/ACH.*GB paying in GBP/);
      expect(failures(uk, withText(uk, 'Please pay by BACS.'))).toEqual([]);
    });
  });
});
