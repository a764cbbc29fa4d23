import { paymentMethods, tones } from '../../domain/facts';
import { stepKinds } from '../../domain/policy/schema';
import { factCheck } from '../../domain/drafting/fact-check';
import { createTemplateDrafter, renderTemplateDraft } from '../../domain/drafting/templates';
import { DraftOutput } from '../../domain/drafting/types';
import { PAY_LINK, RULES, draftCase, invoice } from './builders';

describe('template drafter', () => {
  const combos = stepKinds.flatMap((kind) => tones.flatMap((tone) => paymentMethods.map((method) => [kind, tone, method] as const)));

  test.each(combos)('%s / %s / %s passes its own fact check', (kind, tone, method) => {
    for (const withRemittance of [true, false]) {
      const input = draftCase({ kind, tone, method, withRemittance });
      const draft = renderTemplateDraft(input);
      expect(DraftOutput.parse(draft)).toBeTruthy();
      expect(factCheck(draft, input).failures).toEqual([]);
    }
  });

  test.each(stepKinds)('%s passes with one invoice and with strict policy flags', (kind) => {
    const input = draftCase({ kind, invoices: [invoice(501, '2025-02-01', 50_000)] });
    input.step.balanceCents = 50_000;
    expect(factCheck(renderTemplateDraft(input), input).failures).toEqual([]);
    const strict = { ...input, rules: { requiresPayLink: true, allowsConsequences: false, statesInterruption: false } };
    expect(factCheck(renderTemplateDraft(strict), strict).failures).toEqual([]);
  });

  test('covers every open invoice in one message, with the total', () => {
    const input = draftCase({ kind: 'first_reminder' });
    const draft = renderTemplateDraft(input);
    for (const text of [draft.bodyText, draft.bodyHtml]) {
      expect(text).toContain('INV-10231');
      expect(text).toContain('INV-10262');
      expect(text).toContain('$2,267.50');
      expect(text).toContain('$422.50');
    }
    expect(draft.bodyHtml).toContain(`<a href="${PAY_LINK.replace(/&/g, '&amp;')}">`);
    expect(draft.claims.amountsCents).toContain(226_750);
  });

  test('payment method shapes the ask', () => {
    const text = (method: 'ach' | 'card' | 'check' | 'wire') => renderTemplateDraft(draftCase({ kind: 'first_reminder', method })).bodyText;
    expect(text('ach')).toMatch(/ACH bank transfer/);
    expect(text('ach')).toMatch(/verify our bank details/);
    expect(text('card')).toMatch(/card on file has expired/);
    expect(text('check')).toMatch(/400 W Lake St, Suite 210/);
    expect(text('check')).toMatch(/memo line/);
    expect(text('wire')).toMatch(/payment reference/);
  });

  test('tone changes the wording of the same stage', () => {
    const warm = renderTemplateDraft(draftCase({ kind: 'second_reminder', tone: 'warm', facts: { clientSince: '2019-01-15' } }));
    const firm = renderTemplateDraft(draftCase({ kind: 'second_reminder', tone: 'firm' }));
    expect(warm.bodyText).toMatch(/^Hi Dana,/);
    expect(firm.bodyText).toMatch(/^Dear Dana Whitfield,/);
    expect(firm.bodyText).toMatch(/If payment has not reached us by then, our next message will be a formal notice/);
    expect(warm.bodyText).toMatch(/If we have not heard from you by then/);
    expect(warm.bodyText).not.toEqual(firm.bodyText);
  });

  test('no consequences before the second reminder; the final notice names the interruption date', () => {
    const first = renderTemplateDraft(draftCase({ kind: 'first_reminder', tone: 'firm' }));
    expect(first.bodyText).not.toMatch(/late fee|interrupt|final|collection/i);
    const final = renderTemplateDraft(draftCase({ kind: 'final_notice' }));
    expect(final.subject).toMatch(/^Final notice/);
    expect(final.bodyText).toMatch(/interrupted on March 30, 2025/);
  });

  test('thanks for a partial payment and states what remains', () => {
    const input = draftCase({
      kind: 'second_reminder',
      facts: { payments: [{ id: 'pay_1', receivedAt: '2025-03-14T16:00:00.000Z', amountCents: 50_000, method: 'ach', invoiceId: 'inv_10262' }] },
    });
    const draft = renderTemplateDraft(input);
    expect(draft.bodyText).toMatch(/payment of \$500\.00 on March 14, 2025 toward invoice INV-10262/);
    expect(factCheck(draft, input).passed).toBe(true);
  });

  test('the drafter reports its template version', async () => {
    const answer = await createTemplateDrafter().draft(draftCase({ kind: 'prevention' }));
    expect(answer.promptVersion).toBe('template-v2');
    expect(RULES.prevention.allowsConsequences).toBe(false);
  });
});
