/** Shows a diff inline: insertions underlined green, deletions struck red, readable without colour too. */
import { Box, Text } from '@mantine/core';
import type { DiffPart } from '../lib/diff';

export function TextDiff({ parts, label }: { parts: DiffPart[]; label: string }) {
  return (
    <Box
      component="pre"
      aria-label={label}
      style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', fontSize: 'var(--mantine-font-size-sm)', margin: 0 }}
    >
      {parts.map((p, i) =>
        p.kind === 'same' ? (
          <span key={i}>{p.text}</span>
        ) : p.kind === 'added' ? (
          <ins key={i} style={{ background: 'var(--mantine-color-green-1)', textDecorationColor: 'var(--mantine-color-green-7)' }}>
            {p.text}
          </ins>
        ) : (
          <del key={i} style={{ background: 'var(--mantine-color-red-1)', color: 'var(--mantine-color-red-9)' }}>
            {p.text}
          </del>
        ),
      )}
      {parts.length === 0 ? <Text c="dimmed">(empty)</Text> : null}
    </Box>
  );
}
