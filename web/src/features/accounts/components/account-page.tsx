/**
 * One account: what is owed, what happens next and when, and the full paper trail. Actions appear
 * only for roles that may take them; clerks see the mode but cannot change it.
 */
import { Alert, Anchor, Badge, Breadcrumbs, Button, Card, Grid, Group, SimpleGrid, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { AccountDetail } from '../../../../../domain/api';
import { ModeBadge, StatusBadge } from '../../../components/labels';
import { EmptyState, PageError, PageLoading } from '../../../components/page-state';
import { useUser } from '../../../lib/auth';
import { can } from '../../../lib/authorization';
import { calendarDate, dateTime, humanize, money, todayIso } from '../../../lib/format';
import { modeLabel, nextActionLabel, segmentLabel, stepLabel } from '../../../lib/labels';
import { useRecommendations } from '../../../lib/recommendations';
import { RecommendationCard } from '../../../components/recommendation-card';
import { useAccount, useAccountState } from '../api/get-account';
import { DisputeDialog, NoteDialog, PauseDialog, PromiseDialog, ResolveDisputeDialog } from './account-action-dialogs';
import { ModeSwitch } from './mode-switch';
import { AccountFeedList } from './account-feed';
import { AccountTimeline } from './timeline';

/** Whole days past the due date in the viewer's calendar; "due in 3 days" before it. */
function daysOverdueLabel(dueDate: string, today = todayIso()): string {
  const days = Math.round((Date.parse(today) - Date.parse(dueDate.slice(0, 10))) / 86_400_000);
  if (days > 0) return `${days} day${days === 1 ? '' : 's'}`;
  if (days === 0) return 'due today';
  return `due in ${-days} day${days === -1 ? '' : 's'}`;
}

function Stat({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={600} data-testid={testId}>
        {children}
      </Text>
    </Card>
  );
}

type LiveNext = { type?: string; at?: string; until?: string; reason?: string; step?: { stepId?: string; label?: string }; nextStepId?: string };

function LiveState({ accountId, catchingUp }: { accountId: string; catchingUp: boolean }) {
  const live = useAccountState(accountId);
  if (live.isPending || catchingUp) return null;
  if (live.isError || !live.data.available || !live.data.state)
    return (
      <Text size="xs" c="dimmed">
        Live workflow state unavailable{live.data?.message ? `: ${live.data.message}` : ''}; the figures above come from the database.
      </Text>
    );
  const next = live.data.state.next as LiveNext | null | undefined;
  if (!next?.type) return null;
  const text =
    next.type === 'act'
      ? `taking the ${stepLabel(next.step?.stepId ?? next.step?.label).toLowerCase()} step now`
      : next.type === 'wait'
        ? `${nextActionLabel(`wait:${next.reason ?? ''}`).toLowerCase()}${next.nextStepId ? ` (${stepLabel(next.nextStepId).toLowerCase()})` : ''}, until ${dateTime(next.until)}`
        : nextActionLabel(`idle:${next.reason ?? ''}`).toLowerCase();
  return (
    <Text size="xs" c="dimmed" data-testid="live-next">
      The engine right now: {text}.
    </Text>
  );
}

/** Service pauses and collections referrals waiting for a manager, with the paper trail behind them. */
function PendingRecommendations({ detail }: { detail: AccountDetail }) {
  const me = useUser();
  const pending = detail.recommendations.filter((r) => r.status === 'pending');
  const full = useRecommendations({ status: 'pending', accountId: detail.account.id }, pending.length > 0 && can(me, 'recommendations:read'));
  if (pending.length === 0) return null;
  return (
    <Card withBorder component="section" aria-label="Waiting for a manager" data-testid="account-recommendations">
      <Title order={3} size="h4" mb="xs">
        Waiting for a manager
      </Title>
      {full.data && full.data.items.length > 0 ? (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {full.data.items.map((r) => (
            <RecommendationCard key={r.id} item={r} canDecide={can(me, 'recommendations:decide')} />
          ))}
        </SimpleGrid>
      ) : (
        <Stack gap={4}>
          {pending.map((r) => (
            <Text size="sm" key={r.id}>
              {r.kind === 'collections' ? 'Refer to collections' : 'Pause the client’s services'}: recommended {dateTime(r.createdAt)} at {money(r.balanceCents)},{' '}
              {r.daysOverdue} days overdue.
            </Text>
          ))}
        </Stack>
      )}
    </Card>
  );
}

export function AccountPage() {
  const { accountId = '' } = useParams();
  const account = useAccount(accountId);
  if (account.isPending) return <PageLoading label="Loading the account" />;
  if (account.isError) return <PageError error={account.error} onRetry={() => void account.refetch()} />;
  return <AccountView detail={account.data} />;
}

function AccountView({ detail }: { detail: AccountDetail }) {
  const me = useUser();
  const a = detail.account;
  const [dialog, setDialog] = useState<'promise' | 'dispute' | 'pause' | 'note' | null>(null);
  const [resolving, setResolving] = useState<string | null>(null);
  const openInvoices = detail.invoices.filter((i) => i.status === 'open');
  const openDispute = detail.disputes.find((d) => d.status === 'open');
  const openPromise = detail.promises.find((p) => p.status === 'open');
  const cur = (c: number | null | undefined) => money(c, a.currency);
  const catchingUp = a.factsVersion !== a.workflowSeenVersion;
  const qc = useQueryClient();
  // The engine writes its plan after it has read the new facts; ask it again once it has.
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: ['accounts', 'state', a.id] });
  }, [qc, a.id, a.workflowSeenVersion, a.paused]);
  // The facts outrank the engine's last plan while it catches up, so the page never contradicts itself.
  const nextAction = a.paused
    ? { text: nextActionLabel('idle:paused'), at: null }
    : a.disputeOpen
      ? { text: nextActionLabel('idle:dispute_open'), at: null }
      : catchingUp
        ? { text: 'Working out the next step after the latest change…', at: null }
        : { text: nextActionLabel(a.nextAction), at: a.nextActionAt };
  const [result, setResult] = useState<string | null>(null);
  const done = (text: string) => () => {
    setDialog(null);
    setResult(text);
  };

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to="/accounts">
          Accounts
        </Anchor>
        <Text>{a.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Title order={2}>{a.name}</Title>
          <Group gap="xs" mt={4}>
            <Badge variant="outline" tt="none">{segmentLabel(a.segment)}</Badge>
            <ModeBadge mode={a.mode} />
            {a.paused ? <Badge color="orange" tt="none">Paused</Badge> : null}
            {a.disputeOpen ? <Badge color="red" tt="none">Dispute open</Badge> : null}
            {a.externalRef ? (
              <Text size="xs" c="dimmed">
                ref {a.externalRef}
              </Text>
            ) : null}
          </Group>
        </div>
        <Group gap="xs" aria-label="Account actions">
          {can(me, 'accounts:promise') ? (
            <Button size="xs" variant="light" onClick={() => setDialog('promise')}>
              Record promise
            </Button>
          ) : null}
          {can(me, 'accounts:dispute') && !openDispute ? (
            <Button size="xs" variant="light" color="red" onClick={() => setDialog('dispute')}>
              Open dispute
            </Button>
          ) : null}
          {can(me, 'accounts:note') ? (
            <Button size="xs" variant="default" onClick={() => setDialog('note')}>
              Add note
            </Button>
          ) : null}
          {can(me, 'accounts:pause') ? (
            <Button size="xs" variant="light" color="orange" onClick={() => setDialog('pause')}>
              {a.paused ? 'Resume…' : 'Pause…'}
            </Button>
          ) : null}
          {can(me, 'accounts:mode') ? <ModeSwitch accountId={a.id} mode={a.mode} /> : null}
        </Group>
      </Group>
      <div role="status" aria-live="polite">
        {result ? (
          <Alert color="green" withCloseButton onClose={() => setResult(null)} py={6} data-testid="account-action-result">
            <Text size="sm">{result}</Text>
          </Alert>
        ) : null}
      </div>

      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Stat label="Balance" testId="account-balance">
          {cur(a.balanceCents)}
        </Stat>
        <Stat label="Stage" testId="account-stage">
          {stepLabel(a.stage)}
        </Stat>
        <Stat label="Next action" testId="account-next-action">
          {nextAction.text}
          {nextAction.at ? (
            <Text span size="sm" fw={400} c="dimmed" data-testid="account-next-action-at">
              {' '}
              until {dateTime(nextAction.at)}
            </Text>
          ) : null}
        </Stat>
        <Stat label="Oldest due">{calendarDate(a.oldestDueDate)}</Stat>
      </SimpleGrid>
      <Stack gap={2}>
        <LiveState accountId={a.id} catchingUp={catchingUp || a.paused} />
        {catchingUp ? (
          <Text size="xs" c="orange">
            The latest change is stored and on its way to the workflow; the next action may still move.
          </Text>
        ) : null}
        {!can(me, 'accounts:mode') ? (
          <Text size="xs" c="dimmed" data-testid="mode-note">
            Mode: {modeLabel(a.mode)}. Only managers switch between copilot and autonomous.
          </Text>
        ) : null}
      </Stack>

      {openDispute ? (
        <Alert color="red" title="Dispute open — automation is stopped for this account">
          <Group justify="space-between">
            <Text size="sm">
              {openDispute.reason} (opened {dateTime(openDispute.openedAt)})
            </Text>
            {can(me, 'accounts:dispute') ? (
              <Button size="xs" variant="white" color="red" onClick={() => setResolving(openDispute.id)}>
                Resolve…
              </Button>
            ) : null}
          </Group>
        </Alert>
      ) : null}
      {openPromise ? (
        <Alert color="blue" title="Promise to pay">
          {openPromise.amountCents ? cur(openPromise.amountCents) : 'The balance'} promised by {calendarDate(openPromise.promisedDate)}; escalation waits until then.
        </Alert>
      ) : null}

      <PendingRecommendations detail={detail} />

      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Card withBorder mb="md" component="section" aria-label="What happened">
            <Title order={3} size="h4" mb="sm">
              What happened
            </Title>
            <AccountFeedList accountId={a.id} />
          </Card>
          <Card withBorder>
            <Title order={3} size="h4" mb="sm">
              Timeline
            </Title>
            <AccountTimeline accountId={a.id} first={detail.timeline} />
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Card withBorder>
            <Tabs defaultValue="invoices">
              <Tabs.List>
                <Tabs.Tab value="invoices">Invoices ({openInvoices.length} open)</Tabs.Tab>
                <Tabs.Tab value="payments">Payments</Tabs.Tab>
                <Tabs.Tab value="commitments">Promises & disputes</Tabs.Tab>
                <Tabs.Tab value="contacts">Contacts</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="invoices" pt="sm">
                {detail.invoices.length === 0 ? (
                  <EmptyState title="No invoices" />
                ) : (
                  <Table fz="sm" striped aria-label="Invoices">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Number</Table.Th>
                        <Table.Th>Due</Table.Th>
                        <Table.Th ta="right">Days overdue</Table.Th>
                        <Table.Th ta="right">Amount</Table.Th>
                        <Table.Th ta="right">Balance</Table.Th>
                        <Table.Th>Status</Table.Th>
                        <Table.Th>Pay page</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {detail.invoices.map((i) => (
                        <Table.Tr key={i.id}>
                          <Table.Td>{i.number}</Table.Td>
                          <Table.Td>{calendarDate(i.dueDate)}</Table.Td>
                          <Table.Td ta="right" data-testid="invoice-days-overdue">
                            {i.status === 'open' ? daysOverdueLabel(i.dueDate) : '—'}
                          </Table.Td>
                          <Table.Td ta="right">{cur(i.amountCents)}</Table.Td>
                          <Table.Td ta="right">{cur(i.balanceCents)}</Table.Td>
                          <Table.Td>
                            <StatusBadge status={i.status} />
                          </Table.Td>
                          <Table.Td>
                            {i.payUrl ? (
                              <Anchor href={i.payUrl} target="_blank" rel="noreferrer" aria-label={`Pay page for invoice ${i.number}`} size="sm">
                                Open
                              </Anchor>
                            ) : (
                              '—'
                            )}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
              </Tabs.Panel>
              <Tabs.Panel value="payments" pt="sm">
                {detail.payments.length === 0 ? (
                  <EmptyState title="No payments recorded" />
                ) : (
                  <Table fz="sm" striped aria-label="Payments">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Received</Table.Th>
                        <Table.Th>Method</Table.Th>
                        <Table.Th ta="right">Amount</Table.Th>
                        <Table.Th>Reference</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {detail.payments.map((p) => (
                        <Table.Tr key={p.id}>
                          <Table.Td>{p.dated === false ? 'before import (no date given)' : dateTime(p.receivedAt)}</Table.Td>
                          <Table.Td>{p.kind === 'credit_note' ? 'credit note' : p.method.toUpperCase()}</Table.Td>
                          <Table.Td ta="right">
                            {cur(p.amountCents)}
                            {p.unappliedCents > 0 ? (
                              <Text size="xs" c="orange">
                                {cur(p.unappliedCents)} unapplied
                              </Text>
                            ) : null}
                          </Table.Td>
                          <Table.Td>{p.reference ?? '—'}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
              </Tabs.Panel>
              <Tabs.Panel value="commitments" pt="sm">
                {detail.promises.length === 0 && detail.disputes.length === 0 ? (
                  <EmptyState title="No promises or disputes" />
                ) : (
                  <Stack gap="xs">
                    {detail.promises.map((p) => (
                      <Group key={p.id} justify="space-between">
                        <Text size="sm">
                          Promise: {p.amountCents ? cur(p.amountCents) : 'balance'} by {calendarDate(p.promisedDate)}
                        </Text>
                        <StatusBadge status={p.status} />
                      </Group>
                    ))}
                    {detail.disputes.map((d) => (
                      <Group key={d.id} justify="space-between" wrap="nowrap">
                        <Text size="sm">
                          Dispute: {d.reason}
                          {d.resolution ? ` — ${d.resolution}` : ''}
                        </Text>
                        <StatusBadge status={d.status} />
                      </Group>
                    ))}
                  </Stack>
                )}
              </Tabs.Panel>
              <Tabs.Panel value="contacts" pt="sm">
                <Stack gap="xs">
                  {detail.contacts.map((c) => (
                    <div key={c.id}>
                      <Text size="sm" fw={600}>
                        {c.name} {c.isPrimary ? <Badge size="xs">primary</Badge> : null}
                      </Text>
                      <Text size="sm">
                        {c.role ? `${c.role} · ` : ''}
                        <Anchor href={`mailto:${c.email}`}>{c.email}</Anchor>
                        {c.phone ? ` · ${c.phone}` : ''}
                      </Text>
                    </div>
                  ))}
                  <Text size="xs" c="dimmed">
                    {a.timeZone} · terms net {a.paymentTermsDays} · pays by {a.paymentMethod.toUpperCase()} · client since {calendarDate(a.clientSince)}
                  </Text>
                </Stack>
              </Tabs.Panel>
            </Tabs>
          </Card>
        </Grid.Col>
      </Grid>

      <PromiseDialog accountId={a.id} opened={dialog === 'promise'} onClose={() => setDialog(null)} onDone={done('Promise recorded: escalation waits for the promised date.')} />
      <DisputeDialog account={detail} opened={dialog === 'dispute'} onClose={() => setDialog(null)} onDone={done('Dispute opened: automation is stopped for this account.')} />
      <PauseDialog
        accountId={a.id}
        paused={a.paused}
        opened={dialog === 'pause'}
        onClose={() => setDialog(null)}
        onDone={done(a.paused ? 'Follow-ups resumed.' : 'Follow-ups paused: nothing goes out until someone resumes.')}
      />
      <NoteDialog accountId={a.id} opened={dialog === 'note'} onClose={() => setDialog(null)} onDone={done('Note added to the paper trail.')} />
      <ResolveDisputeDialog
        accountId={a.id}
        disputeId={resolving}
        onClose={() => setResolving(null)}
        onDone={() => {
          setResolving(null);
          setResult('Dispute resolved: automation resumes.');
        }}
      />
    </Stack>
  );
}
