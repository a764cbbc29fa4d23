/**
 * A small word/line diff (longest common subsequence) for showing what a clerk changed in a draft
 * and what a manager changed in a policy. Inputs are a few kilobytes, so O(n·m) is fine.
 */
export type DiffPart = { kind: 'same' | 'added' | 'removed'; text: string };

function lcsDiff(a: string[], b: string[]): DiffPart[] {
  const n = a.length;
  const m = b.length;
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);

  const out: DiffPart[] = [];
  const push = (kind: DiffPart['kind'], text: string) => {
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else out.push({ kind, text });
  };
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      push('same', a[i]);
      i++;
      j++;
    } else if (table[i + 1][j] >= table[i][j + 1]) push('removed', a[i++]);
    else push('added', b[j++]);
  }
  while (i < n) push('removed', a[i++]);
  while (j < m) push('added', b[j++]);
  return out;
}

/** Words and the whitespace between them are separate tokens so re-wrapping shows as little change. */
export function diffWords(before: string, after: string): DiffPart[] {
  const tokenize = (s: string) => s.match(/\s+|[^\s]+/g) ?? [];
  return lcsDiff(tokenize(before), tokenize(after));
}

export function diffLines(before: string, after: string): DiffPart[] {
  const split = (s: string) => s.split('\n').map((l) => `${l}\n`);
  return lcsDiff(split(before), split(after));
}

export function hasChanges(parts: DiffPart[]): boolean {
  return parts.some((p) => p.kind !== 'same');
}
