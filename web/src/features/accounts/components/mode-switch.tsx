/**
 * Managers move an account between copilot and autonomous. Going autonomous is only possible after
 * looking at what would go out by itself in the next 30 days; going back to copilot is always safe.
 */
import { Alert, Badge, Button, Checkbox, Group, Modal, Stack, Table, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { Mode } from '../../../../../domain/facts';
import { MutationError, NotAvailable, PageLoading } from '../../../components/page-state';
import { ToneBadge } from '../../../components/labels';
import { dateTime, humanize, money } from '../../../lib/format';
import { useSetMode } from '../api/account-actions';
import { useAutonomousPreview } from '../api/get-autonomous-preview';

export function ModeSwitch({ accountId, mode }: { accountId: string; mode: Mode }) {
  const [open, setOpen] = useState(false);
  const target: Mode = mode === 'copilot' ? 'autonomous' : 'copilot';
  return (
    <>
      <Button size="xs" variant="light" color="violet" onClick={() => setOpen(true)}>
        {target === 'autonomous' ? 'Switch to autonomous…' : 'Switch to copilot…'}
      </Button>
      {open ? <ModeDialog accountId={accountId} target={target} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function ModeDialog({ accountId, target, onClose }: { accountId: string; target: Mode; onClose: () => void }) {
  const preview = useAutonomousPreview(accountId, target === 'autonomous');
  const setMode = useSetMode(accountId);
  const [reviewed, setReviewed] = useState(false);
  const [reason, setReason] = useState('');
  const ready = target === 'copilot' || (preview.isSuccess && reviewed);

  const confirm = () =>
    setMode.mutate({ mode: target, reason: reason.trim() || undefined }, { onSuccess: onClose });

  return (
    <Modal opened onClose={onClose} title={target === 'autonomous' ? 'Switch to autonomous mode' : 'Switch back to copilot mode'} size="xl">
      <Stack>
        {target === 'copilot' ? (
          <Text size="sm">Every message to this account will wait in the copilot queue for a person to approve it.</Text>
        ) : (
          <>
            <Text size="sm">
              In autonomous mode routine steps go out by themselves. Final notices, pauses, collections, disputes, large balances and drafts that fail
              their fact check still wait for a person. Here is what would happen in the next 30 days:
            </Text>
            {preview.isPending ? (
              <PageLoading label="Simulating the next 30 days" />
            ) : preview.isError ? (
              <NotAvailable what="The 30-day preview" error={preview.error} />
            ) : preview.data.items.length === 0 ? (
              <Alert color="gray">Nothing would be sent in the next 30 days.</Alert>
            ) : (
              <Table fz="sm" striped aria-label="What autonomous mode would send in the next 30 days" data-testid="mode-preview">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Step</Table.Th>
                    <Table.Th>Tone</Table.Th>
                    <Table.Th ta="right">Amount</Table.Th>
                    <Table.Th>Goes out</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {preview.data.items.map((i, n) => (
                    <Table.Tr key={n}>
                      <Table.Td>{dateTime(i.at)}</Table.Td>
                      <Table.Td>
                        {humanize(i.stepId)}
                        {i.subject ? (
                          <Text size="xs" c="dimmed">
                            {i.subject}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{i.tone ? <ToneBadge tone={i.tone} /> : '—'}</Table.Td>
                      <Table.Td ta="right">{i.amountCents ? money(i.amountCents) : '—'}</Table.Td>
                      <Table.Td>
                        {i.autonomous ? (
                          <Badge color="violet">by itself</Badge>
                        ) : (
                          <Stack gap={2}>
                            <Badge color="yellow">waits for a person</Badge>
                            {i.reasons.length ? <Text size="xs">{i.reasons.join('; ')}</Text> : null}
                          </Stack>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {preview.data?.notes.length ? (
              <Text size="xs" c="dimmed">
                {preview.data.notes.join(' · ')}
              </Text>
            ) : null}
            <Checkbox
              label="I have reviewed what autonomous mode would send to this account"
              checked={reviewed}
              disabled={!preview.isSuccess}
              onChange={(e) => setReviewed(e.currentTarget.checked)}
            />
          </>
        )}
        <Textarea label="Reason (kept in the paper trail)" autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <MutationError error={setMode.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="violet" disabled={!ready} loading={setMode.isPending} onClick={confirm}>
            {target === 'autonomous' ? 'Switch to autonomous' : 'Switch to copilot'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
