/** Today's calls, grouped by who makes them; unassigned calls are anyone's to pick up. */
import { Anchor, Badge, Button, Card, Group, SegmentedControl, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { CallListItem } from '../../../../../domain/api';
import { EmptyState, PageError, PageLoading } from '../../../components/page-state';
import { errorMessage } from '../../../lib/api-client';
import { useUser } from '../../../lib/auth';
import { can } from '../../../lib/authorization';
import { dateTime, money } from '../../../lib/format';
import { outcomeLabel, stepLabel } from '../../../lib/labels';
import { useClaimCall } from '../api/claim-call';
import { useCalls, type CallFilters } from '../api/get-calls';

function groupByCaller(items: CallListItem[]) {
  const groups = new Map<string, CallListItem[]>();
  for (const c of items) {
    const key = c.assignedToName ?? 'Unassigned';
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === 'Unassigned' ? 1 : b === 'Unassigned' ? -1 : a.localeCompare(b)));
}

function ClaimButton({ call }: { call: CallListItem }) {
  const me = useUser();
  const claim = useClaimCall();
  if (!can(me, 'calls:log') || call.status !== 'open') return null;
  const mine = call.assignedTo === me?.user.id;
  if (call.assignedTo && !mine) return null;
  return (
    <Stack gap={2} align="flex-start">
      <Button
        size="compact-xs"
        variant={mine ? 'default' : 'light'}
        loading={claim.isPending}
        onClick={() => claim.mutate({ id: call.id, release: mine })}
        aria-label={`${mine ? 'Release' : 'Claim'} the call to ${call.accountName}`}
      >
        {mine ? 'Release' : 'Claim'}
      </Button>
      {claim.error ? (
        <Text size="xs" c="red.9" role="alert">
          {errorMessage(claim.error)}
        </Text>
      ) : null}
    </Stack>
  );
}

export function CallListPage() {
  const [status, setStatus] = useState<CallFilters['status']>('open');
  const [dueOnly, setDueOnly] = useState(false);
  // A caller's list is already their own calls plus the unassigned ones anyone may pick up (the
  // server enforces that); starting on "mine only" would hide the unassigned calls they should take.
  const [mine, setMine] = useState(false);
  const calls = useCalls({ status, due: dueOnly ? 'true' : undefined, mine: mine ? 'true' : undefined, pageSize: 200 });

  return (
    <Stack>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Title order={2}>Calls</Title>
        <Group>
          <SegmentedControl
            aria-label="Call status"
            value={status}
            onChange={(v) => setStatus(v as CallFilters['status'])}
            data={[
              { value: 'open', label: 'To call' },
              { value: 'done', label: 'Done' },
              { value: 'cancelled', label: 'Cancelled' },
            ]}
          />
          <Switch label="Due now only" checked={dueOnly} onChange={(e) => setDueOnly(e.currentTarget.checked)} />
          <Switch label="Mine only" checked={mine} onChange={(e) => setMine(e.currentTarget.checked)} />
        </Group>
      </Group>
      {calls.isPending ? (
        <PageLoading label="Loading calls" />
      ) : calls.isError ? (
        <PageError error={calls.error} onRetry={() => void calls.refetch()} />
      ) : calls.data.items.length === 0 ? (
        <EmptyState title={status === 'open' ? 'No calls to make' : 'No calls here'}>
          {status === 'open' ? 'Call tasks appear when an account reaches the call step of its escalation.' : null}
        </EmptyState>
      ) : (
        groupByCaller(calls.data.items).map(([caller, items]) => (
          <Card withBorder key={caller} component="section" aria-label={`Calls for ${caller}`}>
            <Group justify="space-between" mb="xs">
              <Title order={3} size="h4">
                {caller}
              </Title>
              <Badge variant="light">{items.length} calls</Badge>
            </Group>
            <Table fz="sm" striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Account</Table.Th>
                  <Table.Th>Contact</Table.Th>
                  <Table.Th ta="right">Owed</Table.Th>
                  <Table.Th>Due</Table.Th>
                  <Table.Th>{status === 'open' ? 'Step' : 'Outcome'}</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  {status === 'open' ? <Table.Th>Who calls</Table.Th> : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((c) => (
                  <Table.Tr key={c.id} data-testid="call-row">
                    <Table.Td>
                      <Anchor component={Link} to={`/calls/${c.id}`} fw={600}>
                        {c.accountName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {c.primaryContact ? (
                        <>
                          {c.primaryContact.name}
                          <Text size="xs" c="dimmed">
                            {c.primaryContact.phone ?? c.primaryContact.email}
                          </Text>
                        </>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    <Table.Td ta="right">{money(c.balanceCents)}</Table.Td>
                    <Table.Td>{dateTime(c.dueAt)}</Table.Td>
                    <Table.Td>{status === 'open' ? stepLabel(c.stepId) : outcomeLabel(c.outcome)}</Table.Td>
                    <Table.Td data-testid="call-attempts">
                      {c.attempts ? (
                        <>
                          {c.attempts === 1 ? '1 attempt' : `${c.attempts} attempts`}
                          <Text size="xs" c="dimmed">
                            last {dateTime(c.lastAttemptAt)}
                            {c.status === 'open' && c.outcome ? ` · ${outcomeLabel(c.outcome).toLowerCase()}` : ''}
                          </Text>
                        </>
                      ) : (
                        'Not called yet'
                      )}
                    </Table.Td>
                    {status === 'open' ? (
                      <Table.Td>
                        <ClaimButton call={c} />
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        ))
      )}
    </Stack>
  );
}
