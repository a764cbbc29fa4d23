/**
 * Properties of the prose check and the renderer over generated input: whatever fact-shaped token a
 * model slips into otherwise good prose, in whatever form, the check refuses it; and whatever prose a
 * model writes, the HTML that would be sent holds only the product's own markup and link.
 */
import fc from 'fast-check';
import { renderProse } from '../../domain/drafting/prose';
import { checkProse } from '../../domain/drafting/prose-check';
import { GOOD } from '../../scripts/eval/adversarial/cases';
import type { AdversarialAccount } from '../../scripts/eval/adversarial/cases';
import { adversarialInputs } from '../../scripts/eval/adversarial/run';

const inputs = adversarialInputs();
const accounts = Object.keys(GOOD) as AdversarialAccount[];
const MONTHS = ['January', 'February', 'March', 'April', 'June', 'July', 'August', 'September', 'October', 'November', 'December', 'Jan', 'Sept', 'Dec'];

const cents = fc.integer({ min: 1, max: 50_000_000 });
const amount = fc.oneof(
  cents.map((c) => `$${(c / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`),
  cents.map((c) => `${(c / 100).toLocaleString('de-DE', { minimumFractionDigits: 2 })} €`),
  cents.map((c) => `${(c / 100).toFixed(2)} $`),
  cents.map((c) => `USD ${Math.round(c / 100)}`),
  cents.map((c) => `£${Math.round(c / 100)}`),
  cents.map((c) => `${Math.round(c / 100)} dollars`),
  cents.map((c) => `${Math.round(c / 100)}`),
);
const date = fc.record({ m: fc.constantFrom(...MONTHS), d: fc.integer({ min: 1, max: 28 }), y: fc.integer({ min: 2024, max: 2027 }) }).chain(({ m, d, y }) =>
  fc.constantFrom(`${m} ${d}`, `${d} ${m}`, `${m} ${d}, ${y}`, `${d}/${(d % 12) + 1}/${y}`, `${y}-0${(d % 9) + 1}-${String(d).padStart(2, '0')}`, `the ${d}th`, `${m}`),
);
const phone = fc.tuple(fc.integer({ min: 200, max: 999 }), fc.integer({ min: 200, max: 999 }), fc.integer({ min: 1000, max: 9999 })).chain(([a, b, c]) =>
  fc.constantFrom(`(${a}) ${b}-${c}`, `${a}.${b}.${c}`, `+1 ${a} ${b} ${c}`, `+44 20 ${b} ${c}`),
);
const reference = fc.stringMatching(/^[A-Z]{2,4}-?[0-9]{3,6}$/);
const token = fc.oneof(amount, date, phone, reference, fc.webUrl(), fc.domain(), fc.emailAddress());

describe('properties', () => {
  test('a fact-shaped token anywhere in the prose is refused', () => {
    fc.assert(
      fc.property(fc.constantFrom(...accounts), token, fc.nat(), fc.nat(), fc.boolean(), (account, tok, para, at, inSubject) => {
        const good = GOOD[account];
        const answer = { ...good, paragraphs: [...good.paragraphs], subject: good.subject };
        const insert = (text: string) => {
          const words = text.split(' ');
          const i = at % (words.length + 1);
          return [...words.slice(0, i), tok, ...words.slice(i)].join(' ');
        };
        if (inSubject) answer.subject = insert(answer.subject);
        else {
          const p = para % answer.paragraphs.length;
          // The table placeholder must stand alone; put the token in the paragraph after it instead.
          const target = answer.paragraphs[p] === '{{invoice_table}}' ? p + 1 : p;
          answer.paragraphs[target] = insert(answer.paragraphs[target]);
        }
        expect(checkProse(answer, inputs[account]).passed).toBe(false);
      }),
      { numRuns: 600 },
    );
  });

  test('whatever the prose, the HTML holds only the product markup and the pay link', () => {
    const allowed = new Set(['p', 'br', 'a', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td']);
    fc.assert(
      fc.property(fc.constantFrom(...accounts), fc.string({ maxLength: 80 }), fc.array(fc.string({ maxLength: 200 }), { minLength: 1, maxLength: 5 }), (account, subject, paragraphs) => {
        const input = inputs[account];
        const draft = renderProse({ subject: subject || 'x', paragraphs: paragraphs.map((p) => p || 'x'), tone: 'neutral', confidence: 0.5 }, input);
        for (const m of draft.bodyHtml.matchAll(/<\/?([a-zA-Z][\w-]*)/g)) expect(allowed.has(m[1])).toBe(true);
        for (const m of draft.bodyHtml.matchAll(/href="([^"]*)"/g)) expect(m[1].replace(/&amp;/g, '&')).toBe(input.payLink);
        expect(draft.bodyHtml).not.toMatch(/<!--|<script|javascript:/i);
      }),
      { numRuns: 400 },
    );
  });
});
