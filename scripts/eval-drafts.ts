/**
 * Runs the draft scenario fixtures through a drafter and reports what a reviewer would care about:
 * how many drafts pass the fact check, how often they use language their step may not, and how long
 * they are per step. `npm run eval:drafts -- --drafter template|openai [--safe] [--dir <fixtures>]`.
 * Every draft is also read against the fixture's ledger by scripts/ledger-reading.ts, which shares
 * nothing with the statement the drafts were built from. The template drafter must score 100%; the
 * exit code is 1 when the chosen drafter does not.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { createOpenAiDrafter } from '../activities/drafting/openai-drafter';
import { createSafeDrafter } from '../activities/drafting/safe-drafter';
import { factCheck } from '../domain/drafting/fact-check';
import { createTemplateDrafter } from '../domain/drafting/templates';
import { mainAdversarial } from './eval/adversarial/run';
import type { DraftInput, Drafter, FactCheckResult } from '../domain/drafting/types';
import { untruths } from './ledger-reading';

export const DEFAULT_FIXTURE_DIR = path.resolve(__dirname, '../test/fixtures/drafts');

const FixtureFile = z.object({
  name: z.string().min(1),
  description: z.string(),
  input: z.object({ facts: z.object({ invoices: z.array(z.unknown()) }).loose(), step: z.object({ kind: z.string() }).loose() }).loose(),
});

export interface DraftFixture {
  name: string;
  description: string;
  input: DraftInput;
}

export function loadDraftFixtures(dir: string = DEFAULT_FIXTURE_DIR): DraftFixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = FixtureFile.safeParse(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
      if (!parsed.success) throw new Error(`${f}: not a draft fixture: ${parsed.error.message}`);
      return parsed.data as unknown as DraftFixture;
    });
}

export interface FixtureOutcome {
  name: string;
  step: string;
  passed: boolean;
  failures: string[];
  languageHits: number;
  words: number;
  chars: number;
  source?: string;
  error?: string;
}

export interface EvalReport {
  outcomes: FixtureOutcome[];
  passRate: number;
  languageHits: number;
}

/** One attempt per fixture, or the whole safe pipeline when `safe` is set. */
export async function evaluateDrafts(drafter: Drafter, fixtures: DraftFixture[], options: { safe?: boolean } = {}): Promise<EvalReport> {
  const safe = options.safe ? createSafeDrafter({ primary: drafter }) : undefined;
  const outcomes: FixtureOutcome[] = [];
  for (const f of fixtures) {
    const base = { name: f.name, step: f.input.step.kind };
    try {
      const draft = safe ? await safe.draft(f.input) : await drafter.draft(f.input);
      const check: FactCheckResult = factCheck(draft, f.input);
      // The fact check reads the same statement the templates were built from; the ledger reading does
      // not, so a draft that is wrong together with its statement still fails here.
      const ledger = untruths(f.input, draft).map((u) => `ledger: ${u}`);
      outcomes.push({
        ...base,
        passed: check.passed && ledger.length === 0,
        failures: [...check.failures, ...ledger],
        languageHits: check.issues.filter((i) => i.category === 'language').length,
        words: draft.bodyText.split(/\s+/).filter(Boolean).length,
        chars: draft.bodyText.length,
        source: 'source' in draft ? String(draft.source) : undefined,
      });
    } catch (e) {
      outcomes.push({ ...base, passed: false, failures: [], languageHits: 0, words: 0, chars: 0, error: (e as Error).message });
    }
  }
  const passed = outcomes.filter((o) => o.passed).length;
  return { outcomes, passRate: outcomes.length ? passed / outcomes.length : 0, languageHits: outcomes.reduce((s, o) => s + o.languageHits, 0) };
}

export function formatReport(report: EvalReport, drafterName: string): string {
  const lines: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  lines.push(`Draft evaluation: ${drafterName}, ${report.outcomes.length} fixtures`, '');
  for (const o of report.outcomes) {
    const status = o.error ? 'ERROR' : o.passed ? 'pass ' : 'FAIL ';
    lines.push(`  ${status} ${o.name.padEnd(40)} ${String(o.words).padStart(4)} words${o.source ? `  [${o.source}]` : ''}`);
    if (o.error) lines.push(`        ${o.error}`);
    for (const f of o.failures) lines.push(`        - ${f}`);
  }
  lines.push('', `  ${'step'.padEnd(16)} ${'n'.padStart(3)} ${'pass'.padStart(7)} ${'lang hits'.padStart(9)} ${'avg words'.padStart(9)} ${'max words'.padStart(9)} ${'avg chars'.padStart(9)}`);
  const steps = [...new Set(report.outcomes.map((o) => o.step))];
  for (const step of steps) {
    const os = report.outcomes.filter((o) => o.step === step);
    const avg = (k: 'words' | 'chars') => Math.round(os.reduce((s, o) => s + o[k], 0) / os.length);
    lines.push(
      `  ${step.padEnd(16)} ${String(os.length).padStart(3)} ${pct(os.filter((o) => o.passed).length / os.length).padStart(7)} ${String(os.reduce((s, o) => s + o.languageHits, 0)).padStart(9)} ${String(avg('words')).padStart(9)} ${String(Math.max(...os.map((o) => o.words))).padStart(9)} ${String(avg('chars')).padStart(9)}`,
    );
  }
  lines.push('', `Fact-check pass rate: ${pct(report.passRate)}   forbidden-language hits: ${report.languageHits}`);
  return lines.join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  if (process.argv.includes('--adversarial')) return mainAdversarial();
  const kind = arg('drafter') ?? 'template';
  let drafter: Drafter;
  if (kind === 'template') drafter = createTemplateDrafter();
  else if (kind === 'openai') {
    const env = z
      .object({
        OPENAI_API_KEY: z.string().min(1, 'set OPENAI_API_KEY (any value for a local server)'),
        OPENAI_BASE_URL: z.url().optional(),
        OPENAI_MODEL: z.string().default('gpt-4o-mini'),
        OPENAI_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
      })
      .parse(process.env);
    drafter = createOpenAiDrafter({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL, timeoutMs: env.OPENAI_TIMEOUT_MS });
  } else throw new Error(`unknown drafter "${kind}": use template or openai`);

  const report = await evaluateDrafts(drafter, loadDraftFixtures(arg('dir') ?? DEFAULT_FIXTURE_DIR), { safe: process.argv.includes('--safe') });
  console.log(formatReport(report, process.argv.includes('--safe') ? `safe(${drafter.name})` : drafter.name));
  if (kind === 'template' && report.passRate < 1) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
