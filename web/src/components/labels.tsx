/** Small badges that mean the same thing on every page. */
import { Badge, Group, Tooltip } from '@mantine/core';
import type { Mode, Tone } from '../../../domain/facts';
import { humanize } from '../lib/format';
import { reasonLabel, statusLabel } from '../lib/labels';

const toneColor: Record<Tone, string> = { warm: 'teal', neutral: 'gray', firm: 'orange' };

export function ToneBadge({ tone }: { tone: Tone }) {
  return (
    <Badge color={toneColor[tone]} variant="light" aria-label={`Tone: ${tone}`}>
      {humanize(tone)}
    </Badge>
  );
}

export function ModeBadge({ mode }: { mode: Mode }) {
  return (
    <Badge color={mode === 'autonomous' ? 'violet' : 'blue'} variant="outline" aria-label={`Mode: ${mode}`}>
      {humanize(mode)}
    </Badge>
  );
}

export function FactCheckBadge({ passed, failures }: { passed: boolean; failures?: string[] }) {
  const badge = (
    <Badge color={passed ? 'green' : 'red'} variant={passed ? 'light' : 'filled'}>
      {passed ? 'fact check passed' : 'fact check failed'}
    </Badge>
  );
  if (passed || !failures?.length) return badge;
  return <Tooltip label={failures.join('; ')} multiline w={320}>{badge}</Tooltip>;
}

export function SensitivityBadges({ reasons }: { reasons: string[] }) {
  if (reasons.length === 0)
    return (
      <Badge color="gray" variant="dot">
        Routine
      </Badge>
    );
  return (
    <Group gap={4} wrap="wrap">
      {reasons.map((r) => (
        <Badge key={r} color="yellow" variant="light" tt="none">
          {reasonLabel(r)}
        </Badge>
      ))}
    </Group>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const color =
    {
      sent: 'green',
      approved: 'teal',
      pending_approval: 'blue',
      rejected: 'red',
      superseded: 'gray',
      suppressed: 'gray',
      open: 'blue',
      done: 'green',
      kept: 'green',
      broken: 'red',
      resolved: 'green',
      paid: 'green',
      void: 'gray',
    }[status] ?? 'gray';
  return (
    <Badge color={color} variant="light" tt="none">
      {statusLabel(status)}
    </Badge>
  );
}
