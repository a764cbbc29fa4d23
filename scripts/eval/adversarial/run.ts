/**
 * `npm run eval:drafts -- --adversarial`: every misbehaving answer in cases.ts is served by a local
 * OpenAI-compatible endpoint, through the real `openai` SDK, the real OpenAI drafter and the real safe
 * drafter, to accounts in autonomous mode on routine steps. A defect "reaches a send without a person"
 * when the product's own send decision lets the draft go out alone and the defect is in it.
 */
import { createOpenAiDrafter } from '../../../activities/drafting/openai-drafter';
import { createSafeDrafter } from '../../../activities/drafting/safe-drafter';
import { htmlToText } from '../../../domain/drafting/fact-check';
import { decideSend } from '../../../domain/drafting/send-decision';
import type { DraftInput, DraftResult } from '../../../domain/drafting/types';
import { DEFAULT_FIXTURE_DIR, loadDraftFixtures } from '../../eval-drafts';
import { ADVERSARIAL_CASES, ADVERSARIAL_FIXTURES, GOOD, GOOD_VARIANTS, adversarialClasses } from './cases';
import type { AdversarialAccount, AdversarialCase, AdversarialClass } from './cases';
import { startModelStub } from './stub';

export interface CaseOutcome {
  id: string;
  class: AdversarialClass | 'control';
  source: DraftResult['source'];
  sentWithoutPerson: boolean;
  defectReached: boolean;
  why: string;
}

export interface AdversarialReport {
  cases: CaseOutcome[];
  controls: CaseOutcome[];
  reached: number;
}

export function adversarialInputs(dir: string = DEFAULT_FIXTURE_DIR): Record<AdversarialAccount, DraftInput> {
  const fixtures = new Map(loadDraftFixtures(dir).map((f) => [f.name, f.input]));
  const out = {} as Record<AdversarialAccount, DraftInput>;
  for (const [account, name] of Object.entries(ADVERSARIAL_FIXTURES) as Array<[AdversarialAccount, string]>) {
    const input = fixtures.get(name);
    if (!input) throw new Error(`draft fixture ${name} is missing from ${dir}`);
    // Autonomous mode on a routine step: only the drafts' own checks stand between a model and a send.
    out[account] = { ...input, facts: { ...input.facts, mode: 'autonomous' }, step: { ...input.step, sensitiveReasons: [] } };
  }
  return out;
}

export async function runAdversarial(cases: AdversarialCase[] = ADVERSARIAL_CASES, options: { fixtureDir?: string } = {}): Promise<AdversarialReport> {
  const inputs = adversarialInputs(options.fixtureDir);
  const stub = await startModelStub();
  try {
    const safe = createSafeDrafter({ primary: createOpenAiDrafter({ apiKey: 'adversarial', baseURL: stub.url, model: 'misbehaving-model', timeoutMs: 10_000 }) });
    const run = async (id: string, cls: CaseOutcome['class'], account: AdversarialAccount, content: string, present: AdversarialCase['present']): Promise<CaseOutcome> => {
      stub.content = content;
      const input = inputs[account];
      const draft = await safe.draft(input);
      const decision = decideSend({ mode: input.facts.mode, stepSensitiveReasons: input.step.sensitiveReasons, draft });
      const sentWithoutPerson = !decision.requiresApproval;
      const message = [draft.subject, draft.bodyText, htmlToText(draft.bodyHtml)].join('\n');
      return {
        id,
        class: cls,
        source: draft.source,
        sentWithoutPerson,
        defectReached: sentWithoutPerson && present(message),
        why: decision.sensitiveReasons[0] ?? '',
      };
    };
    const outcomes: CaseOutcome[] = [];
    for (const c of cases) outcomes.push(await run(c.id, c.class, c.account, c.content, c.present));
    const controls: CaseOutcome[] = [];
    for (const account of Object.keys(GOOD) as AdversarialAccount[])
      controls.push(await run(`control-${account}`, 'control', account, JSON.stringify(GOOD[account]), () => false));
    for (const [i, v] of GOOD_VARIANTS.entries()) controls.push(await run(`control-${v.account}-${i + 1}`, 'control', v.account, JSON.stringify(v.answer), () => false));
    return { cases: outcomes, controls, reached: outcomes.filter((o) => o.defectReached).length };
  } finally {
    await stub.close();
  }
}

export function formatAdversarialReport(report: AdversarialReport): string {
  const lines = ['Adversarial drafting eval: misbehaving model answers, autonomous mode, routine steps', ''];
  lines.push(`  ${'class'.padEnd(28)} ${'cases'.padStart(5)} ${'to a person'.padStart(11)} ${'sent alone'.padStart(10)} ${'defect sent'.padStart(11)}`);
  for (const cls of adversarialClasses) {
    const os = report.cases.filter((o) => o.class === cls);
    if (!os.length) continue;
    const alone = os.filter((o) => o.sentWithoutPerson).length;
    lines.push(
      `  ${cls.padEnd(28)} ${String(os.length).padStart(5)} ${String(os.length - alone).padStart(11)} ${String(alone).padStart(10)} ${String(os.filter((o) => o.defectReached).length).padStart(11)}`,
    );
  }
  for (const o of report.cases.filter((c) => c.defectReached)) lines.push(`  REACHED ${o.id}`);
  const controlsSent = report.controls.filter((c) => c.sentWithoutPerson && c.source === 'model').length;
  lines.push('', `controls: ${report.controls.length} well-behaved answers, ${controlsSent} sent as model drafts without a person`);
  for (const c of report.controls.filter((x) => !x.sentWithoutPerson || x.source !== 'model')) lines.push(`  control held back: ${c.id}: ${c.why}`);
  lines.push(`adversarial: ${report.cases.length} cases, ${report.reached} reach a send without a person`);
  return lines.join('\n');
}

export async function mainAdversarial(): Promise<void> {
  const report = await runAdversarial();
  console.log(formatAdversarialReport(report));
  if (report.reached > 0 || report.controls.some((c) => !c.sentWithoutPerson)) process.exitCode = 1;
}
