/**
 * The allow-list check over a model's prose, before any placeholder is filled. Prose may carry words
 * only: every figure, date, link, address or payment detail comes through a placeholder, so anything
 * that looks like one in the prose itself is refused, whatever its value. Concessions, threats the
 * step does not allow, free-form deadlines, tone the step does not allow, hints of an earlier contact
 * that never happened, header lines and prompt echoes are refused by classes of meaning, each with its
 * usual paraphrases. A refusal is cheap (the template is used and a person looks); a slip is not.
 */
import { PLACEHOLDER, placeholderNames, proseFacts } from './prose';
import type { PlaceholderName, ProseAnswer } from './prose';
import type { DraftInput } from './types';

export const proseIssueClasses = [
  'figure',
  'currency',
  'link',
  'contact',
  'bank',
  'card',
  'concession',
  'threat',
  'deadline',
  'date',
  'tone',
  'earlier_contact',
  'truth',
  'claim',
  'language',
  'header',
  'injection',
  'markup',
  'length',
  'placeholder',
] as const;
export type ProseIssueClass = (typeof proseIssueClasses)[number];

export interface ProseIssue {
  class: ProseIssueClass;
  message: string;
}

export interface ProseCheckResult {
  passed: boolean;
  failures: string[];
  issues: ProseIssue[];
}

/** Words of prose per step, the product's blocks (table, link, sign-off) not counted. */
export const PROSE_WORD_LIMITS: Record<string, number> = {
  prevention: 110,
  first_reminder: 120,
  second_reminder: 160,
  final_notice: 180,
  call: 150,
  service_pause: 180,
  collections: 180,
};
const SUBJECT_MAX_CHARS = 90;

interface Rule {
  class: ProseIssueClass;
  label: string;
  re: RegExp;
}

const MONTH_WORDS = 'january|february|march|april|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec';
const WEEKDAY_WORDS = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thur?s?|fri|sat|sun';
const NUMBER_WORDS =
  'zero|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|dozens|grand|percent|per cent|percentage|half|halves|twice|thrice|triple|quadruple|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\\w+teenth|twentieth|thirtieth|fortieth|fiftieth|hundredth';
const TIME_UNITS = '(?:business |working |calendar )?(?:hours?|days?|weeks?|fortnights?|months?|years?|quarters?)';

/** Checked on every step: none of these may come from a model. */
const ALWAYS: Rule[] = [
  { class: 'figure', label: 'a figure', re: /\p{Sc}?\s?\p{Nd}(?:[\p{Nd}.,:/-]*\p{Nd})?/u },
  { class: 'figure', label: 'a roman or spelled-out numeral', re: new RegExp(String.raw`\b(?:${NUMBER_WORDS})\b`, 'i') },
  { class: 'figure', label: 'a count', re: new RegExp(String.raw`\b(?:one|a|an|per|single|couple of|few|several|many|some|multiple)\s+(?:more\s+|full\s+|extra\s+)?${TIME_UNITS}\b`, 'i') },
  { class: 'figure', label: 'a count', re: /\bone\s+(?:more\s+)?(?:invoice|payment|bill|cent|dollar|euro|pound|reminder|month|instal?lment)s?\b/i },
  { class: 'figure', label: 'a duration of lateness', re: new RegExp(String.raw`\b(?:${TIME_UNITS}|a while|some time|ages|long|well|way|significantly|seriously|severely)\s+(?:overdue|late|past due|behind|outstanding|in arrears)`, 'i') },
  { class: 'figure', label: 'a duration of lateness', re: new RegExp(String.raw`\b(?:overdue|late|past due|outstanding|unpaid|behind)\s+(?:for|by|since)\s+(?:over\s+|more than\s+|nearly\s+|almost\s+)?(?:a|an|the|some|several|many|quite|weeks|months|days|ages|\w+\s+${TIME_UNITS})`, 'i') },
  { class: 'currency', label: 'a currency sign', re: /\p{Sc}/u },
  { class: 'currency', label: 'a currency', re: /\b(?:usd|eur|gbp|cad|aud|nzd|chf|jpy|sek|nok|dkk|zar|inr|sgd|hkd|mxn|brl|pln|dollars?|bucks|euros?|pounds|quid|pence|pennies|cents?|sterling)\b/i },
  { class: 'link', label: 'a link', re: /\b[a-z][a-z0-9+.-]{1,10}:\/\/|\bhxxps?\b|\bwww\b/i },
  { class: 'link', label: 'a domain name', re: /[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,24}\b/u },
  { class: 'link', label: 'a spelled-out domain', re: /(?:\bdot\b|\(dot\)|\[dot\]|\[\.\]|\(\.\))\s*(?:com|net|org|io|co|biz|info|us|uk|eu|app|pay|link|online|site|me|ly)\b/i },
  { class: 'link', label: 'a path', re: /(?<!\band)\/(?!or\b)/i },
  { class: 'contact', label: 'an e-mail address', re: /@|\(at\)|\[at\]|\bat\s+[\w-]+\s+dot\b/i },
  { class: 'contact', label: 'a phone line', re: /\b(?:hotline|toll[- ]?free|extension|ext|whats ?app|telegram|signal app|sms|text us|text me|text (?:our|the|my)|fax)\b/i },
  { class: 'contact', label: 'changed contact details', re: /\b(?:new|updated|changed|different|alternate|alternative|direct|personal|private|temporary|other)\s+(?:[\w-]+\s+)?(?:phone|number|line|email|e-mail|address|contact|mailbox|inbox|account|bank|portal|payment (?:portal|page|site|link|details|method|address))/i },
  // How to pay and how to reach us are the product's blocks ({{pay_link}}, the payment instructions, a reply).
  { class: 'contact', label: 'a way to pay or reach us the product did not give', re: /\b(?:portals?|websites?|web ?site|web ?page|sites?|pages?|links?|urls?|processors?|gateways?|deposits?|cell|mobile|phones?|telephone|call (?:us|me|our)|reach (?:me|us|our)|contact (?:me|us|our)|attach\w*|scan\w*|qr|click\w*|tap|log ?(?:on|in)|sign ?(?:on|in)|apps?|download\w*|venmo|in person|drop (?:off|by)|visit)\b/i },
  { class: 'bank', label: 'bank details', re: /\b(?:iban|swift|bic|aba|routing|sort[- ]?code|acct|account (?:number|no|num|details|info\w*)|bank (?:account|details|info\w*|name|branch|code|coordinates)|banking (?:details|info\w*|coordinates)|beneficiary|payee|wire (?:instructions|details|info\w*)|remit(?:tance)? (?:to|details|instructions|address)|ach details|direct deposit|transit number)\b/i },
  { class: 'bank', label: 'where money should go', re: /\b(?:bank(?!\s+transfer)\w*|(?:payments?|transfers?|funds|money|remittances?|deposits?)\s+(?:should|must|will|can|need to|are to)?\s*(?:now\s+)?(?:go|be sent|be made|be directed|be routed|be wired|be paid|be deposited)\s+(?:to|into)|(?:send|wire|transfer|deposit|pay)\w*\s+(?:it|payment|the payment|the balance|funds|money|future payments)?\s*(?:to|into)\s+(?:the|our|a|this)\s+(?:\w+\s+)?account|(?:held|hosted|kept) (?:with|at)|(?:account|details) on (?:your )?(?:file|record)|vendor record|supplier record)\b/i },
  { class: 'bank', label: 'changed payment details', re: /\b(?:institution|(?:old|previous|usual|current|existing|former|prior) (?:details|account|instructions|information|info)|details (?:no longer|have changed|changed)|no longer (?:apply|valid|in use|active))\b/i },
  { class: 'bank', label: 'a payment channel the product does not offer', re: /\b(?:zelle|venmo|paypal|cash ?app|wise|revolut|western union|moneygram|crypto\w*|bitcoin|btc|usdt|gift ?cards?|money orders?|cash in person|cash only|wallet address)\b/i },
  { class: 'card', label: 'asking for credentials', re: /\b(?:passwords?|pass ?codes?|log-?ins?|usernames?|user names?|credentials|pins?|one-time (?:code|password)|verification codes?|otp|2fa|mfa|security questions?)\b/i },
  { class: 'card', label: 'card details', re: /\b(?:cvv2?|cvc|cv2|csc|security code|card (?:number|details|info\w*|digits|data|credentials)|(?:long|full) (?:card )?number|expir\w* date|expiry|billing zip|card holder|cardholder)\b/i },
  { class: 'card', label: 'asking for card details', re: /\b(?:send|email|e-mail|reply with|text|share|provide|forward|give|read out|include|write down)\b[^.!?]{0,50}\b(?:card|credit card|debit card|payment details)\b/i },
  { class: 'concession', label: 'a waiver', re: /\b(?:waiv\w*|forgiv\w*|write[- ]?(?:it |this |them )?off|written off|let (?:it|this) (?:slide|go)|overlook\w*|cancel\w* (?:the |your |this |any )?(?:fee|charge|invoice|balance|interest|penalt\w*)|remov\w* (?:the |your |this |any )?(?:fee|charge|interest|penalt\w*)|drop\w* (?:the |your |this |any )?(?:fee|charge|interest|penalt\w*)|(?:fee|charge|interest|penalty)\w* (?:is|are|will be|has been|have been) (?:removed|dropped|cancelled|canceled|reversed|lifted))/i },
  { class: 'concession', label: 'a discount', re: /\b(?:discount\w*|rebate\w*|reduc\w*|lower\w* (?:the |your )?(?:amount|balance|invoice|total|price|bill)|knock\w*\s+(?:\w+\s+){0,3}off|take \w+ off|off (?:the|your) (?:balance|invoice|total|bill)|markdown|mark it down|promo\w*|coupon\w*|special (?:offer|deal|rate|price)|(?:a|special|great|good|better|sweet) deal\b|complimentary|free of charge|no charge|on us|on the house|for free|free month|goodwill)/i },
  { class: 'concession', label: 'an extension', re: /\b(?:let (?:this|it|that|this one|that one|the \w+) (?:go|pass)|(?:all|as much) the time you need|roll\w* (?:the |your |it )?(?:\w+ )?(?:into|onto|over)|put (?:the |it )?(?:rest |balance |remainder )?on (?:the |your )?next|next month'?s? (?:bill|invoice|statement)|match\w* (?:any|a|the|your) (?:competitor|price|offer|quote)|price[- ]match\w*|competitor\w*|extend\w*|extension|more time|additional time|extra time|grace period|postpon\w*|defer\w*|push\w* (?:back|out)|mov\w* (?:the |your )?(?:due date|deadline)|new due date|later due date|no rush|no hurry|take your time|in your own time|whenever (?:you|it)|when(?:ever)? you can|when it suits|pay later|hold off|until you(?:'re| are) ready)\b/i },
  { class: 'concession', label: 'a credit', re: /\bcredit(?!\s*card)(?!\s*(?:bureau|report|rating|score|history|agenc))\w*\b/i },
  { class: 'concession', label: 'absorbing a cost', re: /\b(?:take care of|cover|absorb|eat|swallow|write down)\w* (?:the |any |that )?(?:remainder|rest|difference|fee|fees|cost|costs|charge|charges|balance|shortfall)\b/i },
  { class: 'concession', label: 'a refund', re: /\b(?:refund\w*|reimburs\w*|money back|cash ?back|pay (?:you )?back|return (?:the|your) (?:payment|money))\b/i },
  { class: 'concession', label: 'settling for less', re: /\b(?:settle for|no need to pay|(?:don'?t|do not|doesn'?t) (?:need|have) to (?:pay|worry)|need not pay|leave the (?:rest|remainder|other)|only (?:pay|need to pay)|just pay (?:the|one|part)|skip (?:the|paying)|meet (?:you )?half ?way|half ?way|ignore the (?:newer|other|rest|upcoming)|(?:accept|take)\w* (?:a )?(?:part|some|portion|half|less|whatever)\b|as (?:full |final )?settlement|accept (?:a |an )?(?:less|lower|smaller|partial|reduced|portion)|call it (?:even|square|settled)|in full (?:and )?final|full and final|partial (?:amount|payment) as|payment plan|instal?lments?|split (?:the|your|it)|spread (?:the|it|your)|what(?:ever)? you can|consider (?:it|this|the (?:account|balance|matter)) (?:paid|settled|closed|done|cleared)|call it (?:paid|done|closed)|portion of)\b/i },
  { class: 'deadline', label: 'a deadline not set by the policy', re: new RegExp(String.raw`\b(?:within|in the next|in the coming|over the next|inside of|in under)\s+(?:\w+\s+){0,2}${TIME_UNITS}`, 'i') },
  { class: 'deadline', label: 'a deadline not set by the policy', re: /\b(?:by|before|until|till|no later than|not later than|on or before)\s+(?:the\s+)?(?:end|close|start|beginning|middle|morning|afternoon|evening)\b/i },
  { class: 'deadline', label: 'a deadline not set by the policy', re: /\b(?:by|before|until|till|no later than|not later than|on or before)\s+(?:the\s+)?(?:tomorrow|tonight|today|noon|midnight|next|this|coming|weekend|month-?end|week-?end|eod|cob|eow)\b/i },
  { class: 'deadline', label: 'a deadline not set by the policy', re: /\b(?:eod|cob|eow|asap|a\.s\.a\.p|end of (?:the )?(?:day|week|month|business|play)|close of business|as soon as possible|right away|immediately|at once|straight ?away|forthwith|without (?:further |any )?delay|without fail|promptly|urgently)\b/i },
  { class: 'deadline', label: 'a deadline not set by the policy', re: /\b(?:by|before|until|no later than)\s+the\s+\w+(?:st|nd|rd|th)\b/i },
  { class: 'deadline', label: 'a deadline not set by the policy', re: /\b(?:pay|paid|payment|settle\w*|remit\w*|clear\w*|arrive|received?)\b[^.!?]{0,40}\b(?:today|tonight|tomorrow)\b/i },
  { class: 'deadline', label: 'a deadline not set by the policy', re: /\b(?:first thing|this (?:morning|afternoon|evening)|(?:in|within) the (?:morning|afternoon|hour)|end of (?:the )?(?:morning|afternoon)|same[- ]day|before (?:lunch|noon)|overnight)\b/i },
  { class: 'deadline', label: 'a deadline not set by the policy', re: /\b(?:by return|(?:now|immediately) (?:due|payable)|due (?:now|immediately|today|forthwith|in full)|payable (?:now|immediately|on receipt|upon receipt)|(?:on|upon) receipt)\b/i },
  { class: 'deadline', label: 'urgency the step did not set', re: /\b(?:shortly|prioriti[sz]\w*|top priority|this week|today|straight after|right now|now please|as a matter of)\b/i },
  { class: 'date', label: 'a month', re: new RegExp(String.raw`\b(?:${MONTH_WORDS})\b\.?`, 'i') },
  { class: 'date', label: 'a month', re: /\b(?:in|on|by|of|since|until|before|after|end of|early|late|mid)[- ]may\b|\bmay\s+(?:the\s+)?\w+(?:st|nd|rd|th)\b/i },
  { class: 'date', label: 'a weekday', re: new RegExp(String.raw`\b(?:${WEEKDAY_WORDS})(?:day)?\b`, 'i') },
  { class: 'date', label: 'a relative date', re: /\b(?:tomorrow|yesterday|tonight|ago|fortnight|next (?:week|month|year|quarter)|last (?:week|month|year|quarter|time)|this (?:week|month|weekend|quarter)|earlier this|later this|the other day|since (?:last|early|mid|the start))\b/i },
  { class: 'tone', label: 'insulting language', re: /\b(?:deadbeat|irresponsible|pathetic|shameful|shame on|lazy|incompeten\w*|dishonest|liars?|lying|excuses?|ridiculous|unacceptable|fed up|sick of|tired of|how dare|frustrat\w*|annoy\w*|irritat\w*|patience|getting old|running out|nobody|no one has|honestly|frankly|exasperat\w*)\b/i },
  { class: 'claim', label: 'an account event the statement does not state', re: /\b(?<!(?:not|n't|never)\s(?:yet\s)?(?:been\s)?)(?:received|charged|debited|declined|bounced|failed|processed|credited|refunded|reversed|added|updated|corrected|adjusted|increased|raised|amended|reissued|re-?billed)\b/i },
  { class: 'claim', label: 'a claim about the client\'s history', re: /\b(?:usually|always|never|habitually|typically|as usual|every time|each time|last time|in the past|(?:payment )?history|track record|again and again|pattern|told us|said (?:that|you|the)|you (?:mentioned|said|agreed)|promis\w*|agreed to)\b/i },
  { class: 'claim', label: 'a claim of an error', re: /\b(?:confusion|mistake\w*|errors?|erroneous\w*|incorrect\w*|wrong\w*|mix-?up|discrepanc\w*|oversight|misunderstanding|apolog\w*|sorry for)\b/i },
  { class: 'claim', label: 'a charge the statement does not state', re: /\b(?:service (?:fee|charge)|processing (?:fee|charge)|convenience (?:fee|charge)|tax\w*|vat|gst|hst|surcharg\w*)\b/i },
  { class: 'figure', label: 'a count', re: /\b(?:first|second|third|fourth|fifth|another|next)\s+(?:and\s+\w+\s+)?(?:reminder|notice|request|attempt|time|letter|email|message|warning)s?\b/i },
  { class: 'header', label: 'a header line', re: /(?:^|[.!?;]\s+)(?:to|cc|bcc|from|subject|reply-?to|sender|date|re|fwd?|x-[\w-]+|assistant|user|system|human|ai|note to self)\s*:/im },
  { class: 'header', label: 'a copy to someone else', re: /\b(?:bcc|cc|carbon[- ]copy|blind[- ]copy|blind copied|copied in|copy (?:in|to)|forward(?:ed|ing)? (?:this|a copy|it|the)(?: \w+)? to|looping in|loop in)\b/i },
  { class: 'injection', label: 'an echo of instructions', re: /\b(?:ignore|disregard|forget|override|overrid\w*|bypass)\w*\b[^.!?]{0,40}\b(?:instructions?|prompts?|rules?|guidelines?|directions|previous|prior|above|system|constraints)\b/i },
  { class: 'injection', label: 'an echo of instructions', re: /\b(?:assistant|bot|chatbot|ai|automated|auto-?generated|generated|remember|p\.?\s?s\b|system prompt|system message|developer (?:mode|message)|jailbreak|as an ai|language model|ai assistant|i am an ai|chatgpt|openai|llm|the brief|placeholders?|json|schema|instructions|new task|you are now|do anything now)\b/i },
  // Look-alike letters from other scripts read as a word the patterns never see ("wаive" with a Cyrillic a).
  { class: 'markup', label: 'letters outside the Latin script', re: /[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]/u },
  { class: 'markup', label: 'markup', re: /[<>[\]{}|#`*_\\]|&[a-z]+;|&#/i },
];

/** Consequences by what the step allows (see `languagePermissions`). */
const CONSEQUENCES: Array<Rule & { gate: 'consequences' | 'interruption' | 'finalWord' | 'collections' }> = [
  { gate: 'consequences', class: 'threat', label: 'a fee or penalty', re: /\b(?:late[- ](?:payment )?(?:fees?|charges?)|fees? (?:will|may|might|could)|finance charges?|interest|penalt\w*|surcharges?|additional (?:fees?|charges?|costs?)|extra (?:fees?|charges?)|admin(?:istrative)? (?:fees?|charges?))\b/i },
  { gate: 'consequences', class: 'threat', label: 'consequence language', re: /\b(?:(?:reconsider|review|end|re-?evaluate|terminat)\w* (?:our|the|this) (?:working |business )?relationship|(?:renewal|contract)s?\b[^.!?]{0,30}\b(?:affected|reviewed|impacted|at risk|in question)|noted on (?:your|the) (?:file|record|account)|(?:ceo|cfo|coo|executives?|directors?|management|boss|board)\b|consequences?|repercussions?|further (?:action|steps|measures)|next steps|escalat\w*|take (?:this|the matter|action) further|formal (?:action|steps|notice)|we will have (?:no choice|to)|left with no (?:choice|option)|forced to)\b/i },
  { gate: 'interruption', class: 'threat', label: 'a service interruption', re: /\b(?:suspen\w*|interrupt\w*|disconnect\w*|cut (?:off|you off)|shut\w* (?:off|down)|switch\w* off|turn\w* off|deactivat\w*|disabl\w*|paus\w*|terminat\w*|halt\w*|revok\w*|lock\w* (?:out|you|your)|lose access|loss of (?:access|service)|withdraw\w* (?:support|service)|offboard\w*|on hold|restrict\w*|limit\w* (?:your |the )?(?:access|support|service)|(?:access|support|service)\b[^.!?]{0,30}\b(?:blocked|removed|limited|reduced|withdrawn)|won'?t be able to (?:help|support|assist|service)|unable to (?:help|support|assist|service)|(?:may|might|will|would) not (?:pick up|take on|handle|respond|answer|work on)|stop\w* (?:providing|supporting|servicing|monitoring|work\w*|service|support|all)|no longer (?:be able to )?(?:support|service|provide|help|work)|cease\w*|discontinu\w*|end (?:our|the) (?:service|agreement|contract|relationship))/i },
  { gate: 'interruption', class: 'threat', label: 'degraded support', re: /\b(?:laps\w*|stop\w*|backups?|monitoring|coverage|flag\w*|revisit\w*|arrangements?|slow\w*\b[^.!?]{0,30}\b(?:respond|response|tickets?|support|service|help)|(?:tickets?|requests?)\b[^.!?]{0,30}\b(?:sit|wait|pause|stall)\w*|de-?prioriti[sz]\w*|lower(?:ed)? priority|low(?:est)? priority|back of the (?:queue|line)|priority (?:support|access|status)|tickets?\b[^.!?]{0,40}\b(?:wait|delay\w*|queue\w*|slow\w*|hold)|response times?|slower (?:response|support|service)|service levels?|\bsla\b|best[- ]effort)/i },
  { gate: 'finalWord', class: 'threat', label: 'a final warning', re: /\b(?:final|last (?:chance|opportunity|warning|notice|reminder)|ultimatum|one more chance)\b/i },
  { gate: 'collections', class: 'threat', label: 'collections', re: /\b(?:collections?|collectors?|agenc(?:y|ies)|third[- ]party|recover\w*|debt|bailiffs?|repossess\w*|outside (?:help|party|parties|firm|agency|partner)|external (?:help|party|parties|firm|agency|partner)|hand\w* (?:this|it|the (?:account|matter|balance)) (?:over|off|on)|pass\w* (?:this|it|the (?:account|matter|balance)) (?:on|along))\b/i },
  { gate: 'collections', class: 'threat', label: 'legal action', re: /\b(?:legal\w*|attorneys?|lawyers?|solicitors?|counsel|courts?|lawsuits?|litigat\w*|sue|suing|small claims|judgm?ents?|proceedings|tribunal|claim against)\b/i },
  { gate: 'collections', class: 'threat', label: 'credit reporting', re: /\b(?:credit (?:bureaus?|report\w*|rating|score|history|agenc\w*|file)|report(?:ing|ed)? (?:you|this|your (?:account|company|business))|blacklist\w*|experian|equifax|transunion|dun (?:&|and) bradstreet)\b/i },
];

/** Words a friendly step never uses; a neutral one only the softer of them. */
const FRIENDLY_FORBIDS: Rule[] = [
  { class: 'tone', label: 'an urgent or demanding tone', re: /\b(?:urgent\w*|must(?! have)|demand\w*|requir\w*|obligat\w*|insist\w*|fail\w* to|failure|disappoint\w*|ignored|ignoring|neglect\w*|repeated\w*|no excuse|we expect|expected to|serious\w*|warn\w*|formal\w*|compl(?:y|iance)|delinquen\w*|default\w*|breach\w*|non-?payment|owe us|you owe|pay now|pay up|need (?:you|this) to|have to pay|critical|important notice|notice)\b/i },
  { class: 'tone', label: 'shouting', re: /\b\p{Lu}{3,}\b[^.!?]*\b\p{Lu}{3,}\b|!{2,}/u },
];
const NEUTRAL_FORBIDS: Rule[] = [
  { class: 'tone', label: 'a harsh tone', re: /\b(?:demand\w*|insist\w*|failure to|disappoint\w*|ignored|ignoring|no excuse|we expect|delinquen\w*|owe us|you owe|pay up|warn\w*)\b/i },
  { class: 'tone', label: 'shouting', re: /\b\p{Lu}{3,}\b[^.!?]*\b\p{Lu}{3,}\b|!{2,}/u },
];
const NOT_YET_DUE: Rule = {
  class: 'truth',
  label: 'calls a not-yet-due balance late',
  re: /\b(?:overdue|past[- ]due|late|unpaid|behind|miss\w*|nearly|almost|about to|arrears|delinquen\w*|outstanding|still open|not (?:yet )?(?:been )?(?:paid|received)|have(?:n't| not) (?:yet )?received|slipped)\b/i,
};
const NO_FEES: Rule = { class: 'claim', label: 'a fee the agreement does not have', re: /\b(?:fees?|interest|penalt\w*|charges?|charge for)\b/i };
const EARLIER_CONTACT: Rule = {
  class: 'earlier_contact',
  label: 'implies an earlier message',
  re: /\b(?:follow(?:ing|ed)?[- ]up|follow-?up|again|previous\w*|earlier (?:email|message|note|reminder|letter|notice|messages|emails|reminders)|our last|last (?:email|message|note|reminder|letter|notice)|as (?:we )?(?:mentioned|noted|stated|discussed|said)|(?:have|has) not heard|haven'?t heard|not (?:yet )?heard back|no (?:reply|response|answer) (?:from you|to our)|still|another (?:reminder|note|email|message)|second (?:reminder|notice|note|email|message)|once more|several times|we wrote|we(?:'ve| have) (?:written|reached out|emailed|contacted|sent)|reminded you|remind you again|chasing|circl\w* back|nudg\w*|checking back|touch\w* base again|bump\w* (?:this|it|up)|resurfac\w*|ping\w* (?:you )?again)\b/i,
};

const ENGLISH = new Set(
  'the a an and or but of to in on at by for with from as is are was were be been being have has had do does will would can could should may might we you your our us it its this that these those there here if not no please thank thanks just any all what when which who how so than then also'.split(' '),
);
/** Capitalised words a subject in title case or a sentence may carry; any other is a name the product did not give. */
const COMMON_CAPITALS = new Set(
  "i ok reminder reminders payment payments invoice invoices account accounts notice balance due overdue past quick note about friendly upcoming update request action courtesy heads-up heads up open on for a an the of and to from is now coming soon thank thanks you your our please pay checking in regarding final service services pause collections referral statement summary kind regards hello hi dear team support agreement a-okay ach bacs sepa eft it msp".split(' '),
);

/** Proper names and acronyms that do not start a sentence: only placeholders bring names in. */
function strayNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b\p{Lu}[\p{L}'-]*/gu)) {
    const word = m[0];
    if (/^Ph[A-Z]/.test(word) || COMMON_CAPITALS.has(word.toLowerCase())) continue;
    const before = text.slice(0, m.index).trimEnd();
    if (!before || /[.!?:;"(\u2014-]$/.test(before)) continue;
    out.push(word);
  }
  return out;
}

function normalize(s: string): string {
  return (
    s
      .normalize('NFKC')
      // Invisible characters hide a word from a pattern without hiding it from the reader.
      .replace(/[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/g, '')
      .replace(/[\u2018\u2019\u02BC]/g, "'")
      .replace(/[\u201C\u201D]/g, '"')
      .replace(/[\u2010-\u2015\u2212]/g, '-')
  );
}

export function checkProse(answer: ProseAnswer, input: DraftInput): ProseCheckResult {
  const facts = proseFacts(input);
  const { statement } = facts;
  const kind = input.step.kind;
  const issues: ProseIssue[] = [];
  const add = (cls: ProseIssueClass, message: string) => {
    if (!issues.some((i) => i.message === message)) issues.push({ class: cls, message });
  };

  const rules: Rule[] = [...ALWAYS];
  for (const c of CONSEQUENCES) if (!statement.permissions[c.gate]) rules.push(c);
  const friendly = kind === 'prevention' || kind === 'first_reminder' || input.step.tone === 'warm';
  if (friendly) rules.push(...FRIENDLY_FORBIDS);
  else if (input.step.tone === 'neutral') rules.push(...NEUTRAL_FORBIDS);
  if (kind === 'prevention' || statement.overdue.length === 0) rules.push(NOT_YET_DUE);
  if (statement.firstContact) rules.push(EARLIER_CONTACT);
  // Fees are named only when the installation says the agreement has them, and the step allows consequences.
  if (statement.installation.lateFees.kind === 'none') rules.push(NO_FEES);

  const used = new Set<PlaceholderName>();
  const parts = [
    { where: 'the subject', text: answer.subject, subject: true },
    ...answer.paragraphs.map((text, i) => ({ where: `paragraph ${i + 1}`, text, subject: false })),
  ];
  let words = 0;
  for (const part of parts) {
    const raw = normalize(part.text);
    const text = raw.replace(PLACEHOLDER, (whole, name: string) => {
      const n = name.toLowerCase() as PlaceholderName;
      if (!(placeholderNames as readonly string[]).includes(n)) {
        add('placeholder', `${part.where} uses ${whole}, which is not a placeholder the product fills`);
        return ' ';
      }
      if (name !== n || facts.values[n] === undefined) {
        add('placeholder', `${part.where} uses ${whole}, which this message may not use`);
        return ' ';
      }
      if (part.subject && (n === 'invoice_table' || n === 'pay_link')) add('placeholder', `the subject may not hold ${whole}`);
      if (n === 'invoice_table' && raw.trim() !== whole) add('placeholder', `{{invoice_table}} must stand alone in its paragraph`);
      used.add(n);
      // A neutral stand-in: letters only, so it trips no rule for figures, links or dates.
      return ` Ph${n.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase())} `;
    });
    if (!part.subject) words += text.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;
    for (const rule of rules) {
      const m = rule.re.exec(text);
      if (m) add(rule.class, `${part.where} states ${rule.label} ("${m[0].trim()}"), which a model may not write here`);
    }
    const names = strayNames(text);
    if (names.length) add('claim', `${part.where} names "${names.join('", "')}", which no placeholder gave (names come only through placeholders)`);
    for (const sentence of text.split(/[.!?;]+/)) {
      const tokens = sentence.toLowerCase().match(/\p{L}+/gu) ?? [];
      if (tokens.length >= 5 && tokens.filter((w) => ENGLISH.has(w)).length / tokens.length < 0.12)
        add('language', `${part.where} has a sentence that does not read as English, the language the product checks ("${sentence.trim()}")`);
    }
    const misusedDate = /\b(?:by|before|until|till|no later than|not later than|on or before|deadline(?: of| is)?)\s+(?:the\s+)?(Ph(?!ReplyBy\b|InterruptionDate\b)[A-Z]\w*)/.exec(text);
    if (misusedDate) add('deadline', `${part.where} makes a deadline of a placeholder other than {{reply_by}}`);
    if (/\bdeadline|\bdue by\b|\bno later than\b|\bcut-?off\b/i.test(text) && !/PhReplyBy|PhInterruptionDate/.test(text))
      add('deadline', `${part.where} names a deadline without {{reply_by}}`);
    if (statement.upcoming.length > 0 && /PhTotalOwed[^.!?]{0,50}\b(?:overdue|past[- ]due|late|unpaid)\b|\b(?:overdue|past[- ]due|late|unpaid)\b[^.!?]{0,30}PhTotalOwed/i.test(text))
      add('truth', `${part.where} calls the total owed overdue, but part of it is not yet due (use {{overdue_total}})`);
  }

  if (answer.tone !== input.step.tone) add('tone', `the draft is written in a ${answer.tone} tone; this step is ${input.step.tone}`);
  const limit = PROSE_WORD_LIMITS[kind] ?? 160;
  if (words > limit) add('length', `the prose has ${words} words; this step allows ${limit}`);
  if (answer.subject.length > SUBJECT_MAX_CHARS) add('length', `the subject has ${answer.subject.length} characters; at most ${SUBJECT_MAX_CHARS}`);
  if (answer.paragraphs.length > 6) add('length', `the prose has ${answer.paragraphs.length} paragraphs; at most 6`);
  if (facts.values.interruption_date && kind === 'final_notice' && !used.has('interruption_date'))
    add('placeholder', 'this final notice must state the interruption date through {{interruption_date}}');
  if (facts.values.reply_by && !used.has('reply_by') && !used.has('interruption_date')) add('placeholder', 'this step must name its deadline through {{reply_by}}');

  return { passed: issues.length === 0, failures: issues.map((i) => i.message), issues };
}
