/** The pending drafts as a table; the selected row is the one the keyboard acts on. */
import { Badge, Checkbox, Group, Table, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useEffect, useRef } from 'react';
import type { QueueItem } from '../../../../../domain/api';
import { FactCheckBadge, SensitivityBadges, ToneBadge } from '../../../components/labels';
import { humanize, minutesLabel, money } from '../../../lib/format';
import { stepLabel } from '../../../lib/labels';
import { ANSWER_STEP_ID } from '../../../../../domain/messages';

export const isRoutine = (i: QueueItem) => i.sensitiveReasons.length === 0 && i.factCheckPassed;

interface Props {
  items: QueueItem[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  checked: Set<string>;
  onCheck: (id: string, on: boolean) => void;
  canDecide: boolean;
}

export function QueueTable({ items, selectedId, onSelect, checked, onCheck, canDecide }: Props) {
  const selectedRow = useRef<HTMLTableRowElement>(null);
  // A block body on purpose: newer Chromium returns a Promise from scrollIntoView, and React would
  // take a returned value for the effect's clean-up function.
  useEffect(() => {
    void selectedRow.current?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);

  return (
    <Table highlightOnHover verticalSpacing={6} fz="sm" aria-label="Drafts waiting for approval">
      <Table.Thead>
        <Table.Tr>
          {canDecide ? (
            <Table.Th w={32}>
              <VisuallyHidden>Select for bulk approval</VisuallyHidden>
            </Table.Th>
          ) : null}
          <Table.Th>Draft</Table.Th>
          <Table.Th ta="right">Owed</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((item) => {
          const selected = item.id === selectedId;
          return (
            <Table.Tr
              key={item.id}
              ref={selected ? selectedRow : undefined}
              aria-selected={selected}
              data-testid="queue-row"
              data-message-id={item.id}
              onClick={() => onSelect(item.id)}
              style={{
                cursor: 'pointer',
                background: selected ? 'var(--mantine-color-blue-light)' : undefined,
                boxShadow: selected ? 'inset 3px 0 0 var(--mantine-color-blue-filled)' : undefined,
              }}
            >
              {canDecide ? (
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Checkbox
                    aria-label={`Select ${item.accountName} for bulk approval`}
                    disabled={!isRoutine(item)}
                    title={isRoutine(item) ? undefined : 'Only routine drafts can be approved in bulk'}
                    checked={checked.has(item.id)}
                    onChange={(e) => onCheck(item.id, e.currentTarget.checked)}
                  />
                </Table.Td>
              ) : null}
              <Table.Td>
                <UnstyledButton onClick={() => onSelect(item.id)} aria-current={selected ? 'true' : undefined} style={{ display: 'block' }}>
                  <Text size="sm" fw={600} lineClamp={1}>
                    {item.accountName}
                  </Text>
                  <Text size="xs" c="dimmed" lineClamp={1}>
                    {item.stepId === ANSWER_STEP_ID
                      ? stepLabel(item.stepId)
                      : `${humanize(item.stepId)} · ${item.daysOverdue > 0 ? `${item.daysOverdue} days overdue` : item.daysOverdue === 0 ? 'due today' : `due in ${-item.daysOverdue} days`}`}{' '}
                    · waiting{' '}
                    {minutesLabel(item.waitingMinutes)}
                  </Text>
                </UnstyledButton>
                <Group gap={4} mt={4}>
                  <ToneBadge tone={item.tone} />
                  {item.source ? (
                    <Badge variant="outline" color={item.source === 'model' ? 'violet' : 'gray'} size="sm" data-testid="draft-source" title={item.source === 'model' ? 'Written by the language model, then fact-checked' : 'Filled in from the step’s template'}>
                      {item.source === 'model' ? 'model draft' : 'template'}
                    </Badge>
                  ) : null}
                  {item.factCheckPassed ? null : <FactCheckBadge passed={false} />}
                  {item.escalated ? (
                    <Badge color="red" size="sm">
                      escalated
                    </Badge>
                  ) : null}
                  <SensitivityBadges reasons={item.sensitiveReasons} />
                </Group>
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {money(item.amountCents)}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
