/**
 * The offline classifier: patterns over the sentences the client wrote now (quotes and signature
 * removed). Each kind is found by the sentence that says it, which becomes the evidence. It prefers
 * to hand a reply to a person over guessing: a negated statement, two kinds at once, or text that
 * reads like instructions lowers the confidence below the threshold at which anything happens.
 */
import { detectAutoReply } from './auto-reply';
import { amountCents, futureDate, pastDate } from './dates';
import { stripReply } from './strip';
import type { QuestionTopic, ReadingContext, ReplyDetails, ReplyFlag, ReplyKind, ReplyText, Understanding } from './types';

interface Hit {
  kind: ReplyKind;
  strength: number;
  sentence: string;
  details: ReplyDetails;
}

const NEGATED = /\b(not|n['’]t|never|no longer|yet to|haven['’]t|hasn['’]t|didn['’]t|wasn['’]t)\b/i;

const PAID = [
  /\b(we|i|our (team|ap( team)?|accounts payable|finance|accounting|office)|accounts payable|it|this|that|the (invoice|balance|bill|payment|amount))\s+(have\s+|has\s+|had\s+|already\s+|just\s+|actually\s+|was\s+|were\s+|been\s+)*(paid|settled|sent (the |a |our |it|this|payment)|made (the |a |our )?payment|processed|remitted|wired|transferred|mailed (a |the )?(check|cheque|payment))/i,
  /\b(payment|check|cheque|wire|transfer|ach|remittance)\s+(was|has been|went|got|were)\s+(already\s+|just\s+)?(sent|made|processed|issued|mailed|initiated|submitted|released|out|paid|scheduled and sent|posted)/i,
  /\b(paid|settled) (in full|this|that|it|on|yesterday|last)\b/i,
  /\b(check|cheque) (is|was) in the (mail|post)\b/i,
  /\b(transfer|payment|funds|money|wire)\s+(left|cleared|went out of|was debited from)\b/i,
  /\bpayment (confirmation|receipt)\b.*\b(attached|below)\b/i,
];
const PAID_FUTURE = /\b(will|'ll|going to|shall|plan to|intend to|expect to|hope to)\b/i;

const PROMISE = [
  /^(will|'ll|’ll)\s+(pay|send|settle)\b/i,
  /\b(we|i|our (team|ap( team)?|accounts payable|finance))\s*(will|'ll|’ll|shall|are going to|am going to|plan to|intend to|expect to|can|should be able to|are able to)\s+(be able to\s+)?(pay|settle|send|make|process|release|get (this|it|that|the \w+) (paid|settled|sorted|out)|have (this|it) (paid|settled)|clear|wire|transfer|remit|schedule|mail|cut)\b/i,
  /\b(payment|funds|money|the (balance|invoice|amount|bill)|it|this|a check|a cheque|the check|the cheque|the (wire|transfer|ach))\s+(will|'ll|’ll|should)\s+(be\s+)?(go(ing)? out|sent|made|paid|processed|released|issued|mailed|scheduled|settled|arrive|reach you|hit your account)/i,
  /\b(scheduled|set up|queued|approved)\s+(the |a |our )?(payment|wire|transfer|ach|check|cheque)\s+(for|on)\b/i,
  /\b(payment|payables|ap|check|cheque|pay)\s+run\b.*\b(on|next|this)\b/i,
  /\byou(['’]ll| will) (have|get|receive|see) (the |our |your )?(payment|funds|money|check|cheque|transfer)\b/i,
  /\b(can['’]t|cannot|unable to|won['’]t be able to)\s+pay\s+(until|before)\b/i,
];

const DISPUTE = [
  /\b(invoice|bill|charge|amount|total|statement)\s+(is|was|looks|seems)\s+(wrong|incorrect|inaccurate|not (right|correct))/i,
  /\b(wrong|incorrect|inaccurate)\s+(invoice|amount|number of|quantity|seat count|price|rate|charge|total)/i,
  /\b(overcharged|over-charged|double[- ]?(billed|charged)|charged twice|billed twice|duplicate (invoice|charge))\b/i,
  /\b(we|i)\s+(dispute|contest|reject|do not accept|don['’]t accept|refuse to pay)\b/i,
  /\b(billed|charged|invoiced)\b.{0,60}\bbut\b/i,
  /\b(holding|withholding|hold(ing)? back)\s+(the\s+|our\s+|this\s+)?payment\b/i,
  /\b(cancel(l)?ed)\b.{0,80}\b(charged|billed|invoiced|will not pay|won['’]t pay)\b|\b(includes?|charged for|billed for)\b.{0,60}\b(which|that) we cancel(l)?ed\b/i,
  /\b(not|never|didn['’]t)\s+(agree|what we agreed|agreed|authori[sz]ed|ordered|delivered|provided|done|completed)\b/i,
  // "We never received the laptops" disputes the charge; "never received the invoice" asks for a copy.
  /\b(not|never)\s+received\b(?!.{0,25}\b(invoice|bill|statement|e-?mail|copy|pdf|reminder|it)\b)/i,
  /\b(only have|we have only|we only have|should (only )?be|was supposed to be)\s+\d+\s+(seats|users|licen[cs]es|devices|endpoints|hours)\b/i,
  /\b(cancel(l)?ed|terminated)\b.*\b(contract|service|subscription|agreement|licen[cs]es?|seats?)\b.*\b(still|but|yet)\b/i,
  /\b(credit|discount|refund)\b.*\b(not|never|wasn['’]t|hasn['’]t)\s+(been\s+)?(applied|reflected|included|issued)/i,
  /\bshould (be|have been)\s+[$€£]?\d/i,
  /\b(unhappy|not happy|dissatisfied)\b.*\b(service|work|support)\b.*\b(not|won['’]t|will not)\s+pay/i,
  /\b(not|won['’]t|will not|refuse to)\s+pay\b.*\b(until|unless)\b.*\b(fixed|resolved|corrected|credit|issue)/i,
];

const REMITTANCE = [
  /\bremittance( advice)?\b/i,
  /\bpayment advice\b/i,
  /\b(payment|remittance) (details|summary|notification|notice)\b.*\b(attached|below|enclosed)\b/i,
  /\bthe following invoices? (has|have) been (paid|settled|included)\b/i,
];

const QUESTION: Array<{ topic: QuestionTopic; re: RegExp }> = [
  { topic: 'bank_details', re: /\b(bank (details|account|info(rmation)?)|account number|routing number|sort code|iban|swift|bic|wire (instructions|details|info))\b/i },
  {
    topic: 'invoice_copy',
    re: /\b((send|resend|re-send|forward|share|email|provide|attach|get)\b.{0,30}\b(copy|pdf|invoice|statement)|(copy|pdf) of (the |this |that )?(invoice|bill|statement)|(can['’]t|cannot|couldn['’]t|could not|unable to) (find|locate|see|open)\b.{0,20}\b(invoice|bill|attachment)|(never|didn['’]t|did not|haven['’]t|have not) (received|got(ten)?|seen) (the |this |that |an? |your )?(invoice|bill)|\bresend (it|this|that)\b|\bsend (it|this|that) again\b)/i,
  },
  {
    topic: 'payment_methods',
    re: /\b(how (can|do|should|could) (we|i) pay|(can|could|may) (we|i) pay (by|with|via|using)|do you (accept|take)|what (payment )?(methods|options)|possible to pay (by|with|via)|pay (by|with|via|using) (a )?(credit )?card\b|pay (by|with|via) (credit )?(card|ach|check|cheque|wire|paypal)\?|payment (portal|link|options))/i,
  },
  {
    topic: 'payment_status',
    re: /\b((did|have) you (receive|get|see)|has (our|my|the) (payment|check|cheque|wire|transfer) (arrived|cleared|come through|been (received|applied|posted))|(confirm|check) (receipt|that you (got|received))|is (our|my|the) (payment|account) (received|up to date|current)|(received|got) (our|my) (payment|check|cheque))/i,
  },
  {
    topic: 'charge_explanation',
    re: /\b(what (is|was|'s|are) (this|that|the|these)\b.{0,40}\b(charge|fee|line|item|amount|for)|what (does|do) (this|that|the|these|it)\b.{0,30}\b(cover|relate|refer)|explain\b.{0,40}\b(charge|fee|line|invoice|bill|amount)|(don['’]t|do not) (recogni[sz]e|understand)\b.{0,30}\b(charge|fee|line|item|amount)|what\b.{0,40}\b(charge|fee|line|item)\W{0,3}\s(covers?|is for|means|includes)|breakdown|itemi[sz]ed)/i,
  },
];
const ASKS = /\?|\b(could you|can you|would you|please (send|let|advise|confirm|explain|tell|share|forward|resend)|let (me|us) know|wondering|i need|we need)\b/i;

const OOO = [
  /\b(out of (the )?office|ooo)\b/i,
  /\b(on (annual |parental |maternity |paternity |sick |medical )?leave|on (vacation|holiday)|away from (my desk|the office)|travel+ing)\b/i,
  /\b(limited (access to|connectivity)|no access to) (e-?mail|email)\b/i,
  /\b(i am|i['’]m|i will be|i['’]ll be) (away|off|out)\b.{0,30}\b(until|till|through|back|return)/i,
  /\b(i will|i'll|i’ll) (be )?(back|return|returning)\b|\b(will )?return(ing)? (to the office )?(on|monday|tuesday|wednesday|thursday|friday)\b|\bback in the office\b/i,
];
const RETURN = [/\b(until|till|through|thru)\b\s*(.{3,60})/i, /\b(return(ing)?( to the office)?( on)?|back( in the office)?( on)?)\b\s*(.{3,60})/i];

const WRONG_CONTACT = [
  /\b(no longer|not longer)\s+(with|at|work(ing)? (for|at|with)|employed|handl(e|ing)|responsible|the (right|correct) (person|contact))\b/i,
  /\b(retired|passed away|moved on|is no longer (here|employed))\b/i,
  /\b(has|have) left (the company|the business|the organi[sz]ation|[A-Z]\w+)\b/i,
  /\b(wrong|not the (right|correct|appropriate)) (person|contact|email|address|department)\b/i,
  /\b(i|we) (do not|don['’]t) (handle|deal with|manage|process|look after) (billing|invoices|payments|accounts payable|this)\b/i,
  /\bplease (direct|send|forward|address|update)\b.{0,60}\b(to|contact)\b.{0,60}@/i,
  /\b(please )?(contact|reach out to|email|write to)\s+\S+@\S+\s+(instead|going forward|from now on|for (billing|invoices|payments))/i,
];
const UNSUBSCRIBE = /\b(unsubscribe|remove (me|us|this address) from|stop (e-?mailing|sending|contacting)|do not (e-?mail|contact) (me|us)|take me off)\b/i;

const BANK_TALK = /\b(bank (details|account)|account (number|no\.?)|routing|sort code|iban|swift|bic|wire instructions|new bank|changed (our )?bank)\b/i;
const CONTACT_TALK = /\b(new (contact|email|address|ap contact)|contact (details|information) (has|have) changed|update (your|the) (records|contact|email)|going forward,? (please )?(send|email|contact)|instead of me)\b/i;
const INSTRUCTIONS =
  /\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules?|previous|above|system)\b|\b(system prompt|you are (now )?an? (ai|assistant|model)|as an ai|mark (this|the|our|my|the account|everything|all)\b.{0,30}\bas (paid|settled|closed|resolved)|set (the )?balance to|close (this|the) (account|ticket|case)|delete (this|the|all)\b.{0,20}\b(invoice|reminder|account)|\bassistant:|\buser:|use this as (your|the) (answer|output|response|classification)|to the (ai|bot|model|assistant)\b|"kind"\s*:)/i;

const REFERENCE =
  /\b(?:ref(?:erence)?|conf(?:irmation)?|transaction|trans|txn|trace|payment id|check|cheque|chk|wire|ach|transfer)\s*(?:#|no\.?|num(?:ber)?|id|code)?\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{2,30})\b/i;
const INVOICE_NO = /\b(?:inv(?:oice)?)\s*(?:#|no\.?|num(?:ber)?)?\s*[:#]?\s*([A-Z]{0,5}-?\d[A-Z0-9-]{1,30})\b/i;

function methodOf(s: string): ReplyDetails['method'] {
  if (/\b(ach|direct debit|bank transfer|eft)\b/i.test(s)) return 'ach';
  if (/\b(wire|wired|swift|telegraphic)\b/i.test(s)) return 'wire';
  if (/\b(check|cheque|chk)\b/i.test(s)) return 'check';
  if (/\b(card|visa|mastercard|amex|credit card)\b/i.test(s)) return 'card';
  return null;
}

function referenceOf(s: string): string | null {
  const m = REFERENCE.exec(s);
  // A reference carries a digit: "check is in the mail" names a method, not a number.
  return m && /\d/.test(m[1]) ? m[1] : null;
}

/** Sentences and short lines, each trimmed; a line break ends a sentence too. */
export function sentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+(?=[A-Z0-9"'(])/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 1);
}

const firstMatch = (res: RegExp[], s: string) => res.find((re) => re.test(s));

function hitsIn(sentence: string, all: string, ctx: ReadingContext): Hit[] {
  const hits: Hit[] = [];

  if (firstMatch(DISPUTE, sentence)) {
    const inv = INVOICE_NO.exec(sentence) ?? INVOICE_NO.exec(all);
    hits.push({ kind: 'dispute', strength: 0.9, sentence, details: { invoiceNumber: inv?.[1] ?? null, reason: sentence.slice(0, 500) } });
  }

  if (firstMatch(REMITTANCE, sentence)) {
    const d = pastDate(sentence, ctx);
    hits.push({ kind: 'remittance_advice', strength: 0.85, sentence, details: { reference: referenceOf(all), method: methodOf(all), paidDate: d?.date ?? null, amountCents: amountCents(all) } });
  }

  const paid = firstMatch(PAID, sentence);
  // "Have we paid this?" asks; "we sent a check, did it arrive?" tells and then asks.
  const asksWhetherPaid = /^(did|have|has|had|is|was|were|can|could|would|do|does)\b/i.test(sentence) && /\?\s*$/.test(sentence);
  if (paid && !PAID_FUTURE.test(sentence.slice(0, sentence.search(paid) + 40)) && !asksWhetherPaid) {
    // "We have not paid yet" and "haven't paid" are the opposite of paid.
    const neg = NEGATED.test(sentence.slice(0, (paid.exec(sentence)?.index ?? 0) + (paid.exec(sentence)?.[0].length ?? 0)));
    if (!neg) {
      const d = pastDate(sentence, ctx);
      hits.push({
        kind: 'already_paid',
        strength: 0.9,
        sentence,
        details: { reference: referenceOf(sentence) ?? referenceOf(all), method: methodOf(sentence) ?? methodOf(all), paidDate: d?.date ?? null, amountCents: amountCents(sentence) },
      });
    }
  }

  const promise = firstMatch(PROMISE, sentence);
  // "send your bank details so we can pay" states a purpose, not a promise.
  const purpose = /\bso (that )?(we|i) (can|could|may)\b/i.test(sentence);
  if (promise && !purpose && !/\?\s*$/.test(sentence)) {
    const cannotUntil = /\b(can['’]t|cannot|unable to|won['’]t be able to)\s+pay\s+(until|before)\b/i.test(sentence);
    const refused = /\b(will not|won['’]t|can['’]t|cannot|unable to|refuse)\b/i.test(sentence) && !cannotUntil;
    if (!refused) {
      const d = futureDate(sentence, ctx);
      // "half now and half on the 15th" is an instalment plan: a person agrees it.
      const instalments = /\b(half|part|some|rest|remainder|balance)\b.{0,40}\b(and|then)\b.{0,30}\b(half|rest|remainder|balance)\b/i.test(sentence);
      hits.push({ kind: 'promise_to_pay', strength: d ? (instalments ? 0.6 : 0.9) : 0.55, sentence, details: { promisedDate: d?.date ?? null, amountCents: amountCents(sentence) } });
    }
  }

  const asks = ASKS.test(sentence) || /^(what|how|where|when|why|can|could|do|does|did|is|has|have|would|may)\b/i.test(sentence);
  // "We never received the invoice" and "I don't recognise this line" ask without a question mark.
  const implicit = /\b(never|didn['’]t|did not|haven['’]t|have not) (received|got)\b.{0,20}\b(invoice|bill)|(don['’]t|do not) recogni[sz]e\b/i.test(sentence);
  if (asks || implicit) {
    const q = QUESTION.find((x) => x.re.test(sentence));
    if (q) hits.push({ kind: 'question', strength: asks ? 0.85 : 0.75, sentence, details: { topic: q.topic } });
  }

  // "not checking email" is part of an away notice, so only "not out of office" negates it.
  if (firstMatch(OOO, sentence) && !/\b(not|no longer|n['’]t)\s+(be\s+)?(out|away|on leave|on vacation)\b/i.test(sentence)) {
    const d = RETURN.map((re) => re.exec(sentence)).reduce<ReturnType<typeof futureDate>>((found, m) => found ?? (m ? futureDate(m[0], ctx) : null), null);
    hits.push({ kind: 'out_of_office', strength: d ? 0.85 : 0.6, sentence, details: { returnDate: d?.date ?? null } });
  }

  if (firstMatch(WRONG_CONTACT, sentence)) hits.push({ kind: 'wrong_contact', strength: 0.85, sentence, details: { unsubscribe: false } });
  else if (UNSUBSCRIBE.test(sentence)) hits.push({ kind: 'wrong_contact', strength: 0.85, sentence, details: { unsubscribe: true } });
  return hits;
}

/**
 * When one reply says two things, the one that protects the client wins (a dispute over a promise,
 * a payment over a promise), and the result is marked mixed so a person looks.
 */
const precedence: ReplyKind[] = ['dispute', 'remittance_advice', 'already_paid', 'wrong_contact', 'promise_to_pay', 'question', 'out_of_office'];

export function classifyByRules(reply: ReplyText, ctx: ReadingContext): Understanding {
  const stripped = stripReply(reply.text);
  const visible = stripped.visible;
  const auto = detectAutoReply(reply.headers, reply.subject, visible);
  const headerAuto = auto.auto && !auto.because?.startsWith('"');
  const flags = new Set<ReplyFlag>();
  if (auto.auto) flags.add('auto_reply');
  if (BANK_TALK.test(visible)) flags.add('mentions_bank_details');
  if (CONTACT_TALK.test(visible) || /@/.test(visible.replace(/\S+@\S+\s+wrote:/g, ''))) flags.add('mentions_contact_change');
  // Looked for in the whole message: an instruction hidden below a signature is still an attempt.
  if (INSTRUCTIONS.test(reply.text) || INSTRUCTIONS.test(reply.subject)) flags.add('instruction_like');

  const all = [reply.subject.replace(/^\s*((re|fw|fwd|aw|sv)\s*:\s*)+/i, ''), visible].join('\n');
  // A sentence that instructs the system is not the client's statement: it is flagged, never read as one.
  const hits = sentences(visible)
    .filter((s) => !INSTRUCTIONS.test(s))
    .flatMap((s) => hitsIn(s, all, ctx));
  // A remittance is often only named in its subject ("Remittance Advice - Payment 88213").
  const subject = reply.subject.replace(/^\s*((re|fw|fwd|aw|sv)\s*:\s*)+/i, '');
  if (firstMatch(REMITTANCE, subject) && !hits.some((h) => h.kind === 'remittance_advice'))
    hits.push({ kind: 'remittance_advice', strength: 0.8, sentence: subject, details: { reference: referenceOf(all), method: methodOf(all), paidDate: pastDate(visible, ctx)?.date ?? null, amountCents: amountCents(visible) } });

  const result = (kind: ReplyKind, confidence: number, evidence: string, details: ReplyDetails): Understanding => {
    let c = confidence;
    // Text that tries to steer the system is classified, never obeyed, and a person sees it.
    if (flags.has('instruction_like')) c = Math.min(c, 0.3);
    return { kind, confidence: Math.round(c * 100) / 100, evidence, details, flags: [...flags] };
  };

  if (headerAuto) {
    const ooo = hits.find((h) => h.kind === 'out_of_office');
    if (ooo) return result('out_of_office', Math.max(ooo.strength, 0.8), ooo.sentence, ooo.details);
    return result('other', 0.9, auto.because ?? '', {});
  }
  if (!hits.length) return result('other', visible ? 0.6 : 0.9, '', {});

  const kinds = new Set(hits.map((h) => h.kind));
  const top = precedence.find((k) => kinds.has(k))!;
  let best = hits.filter((h) => h.kind === top).sort((a, b) => b.strength - a.strength)[0];
  let confidence = best.strength;

  // An out-of-office note that also promises ("away until the 10th, will pay on return") reads as the promise.
  if (top === 'promise_to_pay' && kinds.has('out_of_office')) confidence = Math.min(confidence, 0.8);
  // Paid plus remittance are one message; paid plus a question about whether it arrived is still paid.
  const benign = new Set<ReplyKind>([top, 'out_of_office']);
  if (top === 'already_paid' || top === 'remittance_advice') ['already_paid', 'remittance_advice', 'promise_to_pay'].forEach((k) => benign.add(k as ReplyKind));
  if (top === 'already_paid' || top === 'remittance_advice') {
    const q = hits.find((h) => h.kind === 'question');
    if (q?.details.topic === 'payment_status' || q?.details.topic === 'invoice_copy') benign.add('question');
  }
  if (top === 'remittance_advice') {
    const paid = hits.find((h) => h.kind === 'already_paid');
    best = { ...best, details: { ...best.details, reference: best.details.reference ?? paid?.details.reference ?? null, paidDate: best.details.paidDate ?? paid?.details.paidDate ?? null } };
  }
  if (top === 'question') {
    const topics = new Set(hits.filter((h) => h.kind === 'question').map((h) => h.details.topic));
    if (topics.size > 1) {
      flags.add('mixed_intents');
      confidence = Math.min(confidence, 0.6);
    }
  }
  if ([...kinds].some((k) => !benign.has(k))) {
    flags.add('mixed_intents');
    confidence = Math.min(confidence, 0.6);
  }
  return result(top, confidence, best.sentence, best.details);
}
