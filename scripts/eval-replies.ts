/**
 * Runs the labelled replies (test/fixtures/replies/*.eml, labels.json) through the rules classifier
 * and, when a model endpoint is configured (OPENAI_API_KEY or OPENAI_BASE_URL), the model classifier.
 * Reports accuracy per class and every reply that would have been wrongly acted on — an automatic
 * promise, pause, dispute, wait or answer the label does not call for. The last line is the summary.
 * `npm run eval:replies [-- --dir <fixtures>] [--verbose]`. Exit code 1 when anything was wrongly acted on.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseReply } from '../db/facts/reply-parse';
import { createModelClassifier } from '../activities/replies/model-classifier';
import { classifyByRules } from '../domain/replies/rules';
import { decideReplyAction, wronglyActedOn, type ReplyAction } from '../domain/replies/action';
import { QuestionTopic, ReplyKind, replyKinds, type ReadingContext, type ReplyText, type Understanding } from '../domain/replies/types';

export const DEFAULT_REPLY_DIR = path.resolve(__dirname, '../test/fixtures/replies');

const Label = z.object({
  kind: ReplyKind,
  topic: QuestionTopic.optional(),
  promisedDate: z.string().optional(),
  returnDate: z.string().optional(),
  reference: z.string().optional(),
  timeZone: z.string(),
});
type Label = z.infer<typeof Label>;

export interface LabelledReply {
  file: string;
  label: Label;
  reply: ReplyText;
  ctx: ReadingContext;
}

export async function loadLabelledReplies(dir: string = DEFAULT_REPLY_DIR): Promise<LabelledReply[]> {
  const labels = z.record(z.string(), Label).parse(JSON.parse(readFileSync(path.join(dir, 'labels.json'), 'utf8')));
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  const missing = files.filter((f) => !labels[f]);
  if (missing.length) throw new Error(`no label for ${missing.join(', ')}`);
  return Promise.all(
    files.map(async (file) => {
      const parsed = await parseReply(readFileSync(path.join(dir, file)));
      if (!parsed.date) throw new Error(`${file}: no Date header`);
      const label = labels[file];
      return { file, label, reply: { subject: parsed.subject, text: parsed.text, headers: parsed.headers }, ctx: { receivedAt: parsed.date.toISOString(), timeZone: label.timeZone } };
    }),
  );
}

/** What a clerk who read the reply would have Tactful do: the label taken as certain. */
export function rightAction(label: Label): ReplyAction {
  const truth: Understanding = {
    kind: label.kind,
    confidence: 1,
    evidence: '',
    details: { topic: label.topic ?? null, promisedDate: label.promisedDate ?? null, returnDate: label.returnDate ?? null, reference: label.reference ?? null },
    flags: [],
  };
  return decideReplyAction({ understanding: truth, match: 'thread', knownSender: true });
}

export interface ReplyOutcome {
  file: string;
  label: Label;
  got: Understanding;
  action: ReplyAction;
  correct: boolean;
  wronglyActed: boolean;
}

export interface ClassifierReport {
  name: string;
  outcomes: ReplyOutcome[];
  correct: number;
  wronglyActed: number;
  perClass: Record<string, { n: number; correct: number }>;
}

export async function evaluateReplies(name: string, replies: LabelledReply[], classify: (r: LabelledReply) => Promise<Understanding> | Understanding): Promise<ClassifierReport> {
  const outcomes: ReplyOutcome[] = [];
  for (const r of replies) {
    const got = await classify(r);
    const action = decideReplyAction({ understanding: got, match: 'thread', knownSender: true });
    const correct = got.kind === r.label.kind && (r.label.kind !== 'question' || got.details.topic === r.label.topic);
    outcomes.push({ file: r.file, label: r.label, got, action, correct, wronglyActed: wronglyActedOn(action, rightAction(r.label)) });
  }
  const perClass: ClassifierReport['perClass'] = {};
  for (const k of replyKinds) perClass[k] = { n: 0, correct: 0 };
  for (const o of outcomes) {
    perClass[o.label.kind].n++;
    if (o.correct) perClass[o.label.kind].correct++;
  }
  return { name, outcomes, correct: outcomes.filter((o) => o.correct).length, wronglyActed: outcomes.filter((o) => o.wronglyActed).length, perClass };
}

const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : 0);

function print(report: ClassifierReport, verbose: boolean) {
  console.log(`\n${report.name}`);
  for (const [k, v] of Object.entries(report.perClass)) if (v.n) console.log(`  ${k.padEnd(18)} ${String(v.correct).padStart(3)}/${String(v.n).padEnd(3)} ${pct(v.correct, v.n)}%`);
  for (const o of report.outcomes) {
    if (o.correct && !o.wronglyActed && !verbose) continue;
    const mark = o.wronglyActed ? 'WRONGLY ACTED' : o.correct ? 'ok' : 'miss';
    const topic = o.got.details.topic ? `/${o.got.details.topic}` : '';
    console.log(`  ${mark.padEnd(13)} ${o.file}: label ${o.label.kind}${o.label.topic ? `/${o.label.topic}` : ''}, got ${o.got.kind}${topic} (${o.got.confidence}) → ${o.action.type}${o.got.evidence ? ` — "${o.got.evidence.slice(0, 80)}"` : ''}`);
  }
  console.log(`  ${report.correct}/${report.outcomes.length} correct (${pct(report.correct, report.outcomes.length)}%), ${report.wronglyActed} wrongly acted on`);
}

async function main() {
  const args = process.argv.slice(2);
  const dirAt = args.indexOf('--dir');
  const dir = dirAt >= 0 ? path.resolve(args[dirAt + 1]) : DEFAULT_REPLY_DIR;
  const verbose = args.includes('--verbose');
  const replies = await loadLabelledReplies(dir);

  const rules = await evaluateReplies('rules classifier', replies, (r) => classifyByRules(r.reply, r.ctx));
  print(rules, verbose);

  const env = z.object({ OPENAI_API_KEY: z.string().optional(), OPENAI_BASE_URL: z.string().url().optional(), OPENAI_MODEL: z.string().default('gpt-4o-mini') }).parse(process.env);
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) {
    const model = createModelClassifier({ apiKey: env.OPENAI_API_KEY ?? 'none', baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL, timeoutMs: 60_000 });
    const report = await evaluateReplies(`model classifier (${env.OPENAI_MODEL})`, replies, (r) => model.classify(r.reply, r.ctx));
    print(report, verbose);
    console.log(`model: ${pct(report.correct, replies.length)}% correct, ${report.wronglyActed} wrongly acted on`);
  } else console.log('\nmodel classifier: skipped (set OPENAI_API_KEY or OPENAI_BASE_URL to evaluate it)');

  console.log(`replies: ${replies.length} labelled, rules ${pct(rules.correct, replies.length)}% correct, ${rules.wronglyActed} wrongly acted on`);
  process.exitCode = rules.wronglyActed > 0 ? 1 : 0;
}

if (require.main === module) void main();
