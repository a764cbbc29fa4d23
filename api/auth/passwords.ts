/**
 * Password rules per OWASP ASVS 5.0 (V6.2): length (12 to 256), any characters, no composition
 * rules, and refused when it is a common or breached password or as guessable as one. The check uses
 * the zxcvbn-ts dictionaries shipped with the product (common passwords, English words and names), so
 * no password ever leaves the server to be checked.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

let checker: ZxcvbnFactory | null = null;
const zxcvbn = () =>
  (checker ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary, ...en.dictionary }, graphs: common.adjacencyGraphs, translations: en.translations }));

/** zxcvbn's 3: "safely unguessable: moderate protection from offline slow-hash attacks". */
const MIN_SCORE = 3;

/** Why this password is refused, or null. `context`: the person's own e-mail and name, which are guessable too. */
export function passwordProblem(password: string, context: string[] = []): string | null {
  if ([...password].length < 12) return 'use at least 12 characters';
  if (password.length > 256) return 'use at most 256 characters';
  // zxcvbn's cost grows faster than the length and it runs on the API's one thread: a 100-character
  // passphrase of hex groups took seconds and held up every other request. Past 64 characters the first
  // 64 decide (a passphrase that long and strong at its start is strong).
  const r = zxcvbn().check(password.slice(0, 64), context.flatMap((c) => [c, ...c.split(/[@.\s]+/)]).filter((c) => c.length >= 3));
  if (r.score >= MIN_SCORE) return null;
  const common = r.sequence.some((s) => s.pattern === 'dictionary' && s.dictionaryName === 'passwords-common');
  const why = common ? 'it is, or is built on, a commonly used or breached password' : (r.feedback.warning ?? 'it is too easy to guess');
  return `choose another password: ${why[0].toLowerCase()}${why.slice(1).replace(/\.$/, '')}. A few unrelated words make a good one`;
}
