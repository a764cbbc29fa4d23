/** The manager's overview: what is owed and how late, how well collection works, who needs a person. */
import { useState } from 'react';
import { Anchor, Badge, Button, Card, Grid, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { NeedsPerson, RecommendationItem } from '../../../../../domain/api';
import { EmptyState, NotAvailable, PageLoading } from '../../../components/page-state';
import { calendarDate, dateTime, humanize, minutesLabel, money, percent, relative } from '../../../lib/format';
import { stepLabel } from '../../../lib/labels';
import { useAging, useApprovalWait, useKpiTrend, useNeedsPerson, usePromiseStats, useReplyStats, useStageFunnel, useStepEffectiveness } from '../api/get-metrics';
import { useActivityStream } from '../api/use-activity-stream';
import { useSettleDelivery } from '../api/settle-delivery';
import { MutationError } from '../../../components/page-state';
import { RecommendationCard } from '../../../components/recommendation-card';
import { useUser } from '../../../lib/auth';
import { can } from '../../../lib/authorization';
import { useRecommendations } from '../../../lib/recommendations';
import { AgingChart, FunnelChart, KpiTrendChart, StepChart } from './charts';

function Panel({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card withBorder h="100%" component="section" aria-label={title} data-testid={testId}>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      {children}
    </Card>
  );
}

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card withBorder padding="sm" data-figure={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Card>
  );
}

function Headline() {
  const aging = useAging();
  const trend = useKpiTrend();
  const wait = useApprovalWait();
  const promises = usePromiseStats();
  const replies = useReplyStats();
  const today = trend.points[trend.points.length - 1];
  const overdue = aging.data ? aging.data.totalCents - (aging.data.buckets.find((b) => b.bucket === 'current')?.balanceCents ?? 0) : null;
  return (
    <SimpleGrid cols={{ base: 2, md: 4, lg: 7 }}>
      <Figure label="Receivables" value={aging.data ? money(aging.data.totalCents) : '…'} />
      <Figure label="Overdue" value={overdue !== null ? money(overdue) : '…'} />
      <Figure label="DSO" value={today?.dso != null ? `${today.dso.toFixed(1)} d` : '—'} hint={today?.bestPossibleDso != null ? `best possible ${today.bestPossibleDso.toFixed(1)} d` : undefined} />
      <Figure label="CEI" value={today?.cei != null ? `${today.cei.toFixed(0)}%` : '—'} hint={today ? `last ${today.periodDays} days` : undefined} />
      <Figure label="Promises kept" value={promises.data ? percent(promises.data.keptRate) : '—'} hint={promises.data ? `${promises.data.open} open, ${promises.data.broken} broken` : undefined} />
      <Figure
        label="Approval wait"
        value={wait.data ? minutesLabel(wait.data.medianMinutes) : '—'}
        hint={wait.data ? `${wait.data.pending} pending, oldest ${minutesLabel(wait.data.oldestPendingMinutes)}` : undefined}
      />
      <Figure
        label="Time to first answer"
        value={replies.data ? minutesLabel(replies.data.medianFirstAnswerMinutes) : '—'}
        hint={replies.data ? `${replies.data.waiting} ${replies.data.waiting === 1 ? 'reply' : 'replies'} waiting, ${replies.data.answersInQueue} ${replies.data.answersInQueue === 1 ? 'answer' : 'answers'} in the queue` : undefined}
      />
    </SimpleGrid>
  );
}

/** Service pauses and collections referrals: the decisions only a manager takes. */
function ManagerDecisions({ items, canDecide }: { items: RecommendationItem[]; canDecide: boolean }) {
  if (items.length === 0) return null;
  return (
    <Stack gap="xs" data-testid="needs-person-recommendations">
      <Text size="sm" fw={600}>
        Manager decisions ({items.length})
      </Text>
      {items.map((r) => (
        <RecommendationCard
          key={r.id}
          item={r}
          canDecide={canDecide}
          title={
            <>
              <Anchor component={Link} to={`/accounts/${r.accountId}`}>
                {r.accountName}
              </Anchor>
              : {r.kind === 'collections' ? 'refer to collections' : 'pause services'}
            </>
          }
        />
      ))}
    </Stack>
  );
}

const needLabels: Record<NeedsPerson['items'][number]['kind'], string> = {
  dispute: 'Disputes open',
  broken_promise: 'Broken promises',
  blocked_step: 'Blocked steps',
  approval_overdue: 'Drafts past their approval deadline',
  sensitive_draft: 'Sensitive drafts waiting',
  call_due: 'Calls due',
  possible_duplicate_payment: 'Possible duplicate payments held',
  reply_waiting: 'Client replies waiting',
  send_unconfirmed: 'Messages that may have been sent',
};

function needText(n: NeedsPerson['items'][number]): string {
  switch (n.kind) {
    case 'dispute':
      return `Dispute: ${n.detail}`;
    case 'broken_promise':
      return `Promised to pay by ${calendarDate(n.detail)}, and did not`;
    case 'blocked_step':
      return `${stepLabel(n.detail)} could not go ahead: a person must take it`;
    case 'approval_overdue':
      return `${stepLabel(n.detail)} draft past its approval deadline`;
    case 'sensitive_draft':
      return `${stepLabel(n.detail)} draft waiting for a person`;
    case 'possible_duplicate_payment':
      return `A payment with reference ${n.detail} looks like one already recorded: held, not credited`;
    case 'reply_waiting':
      return `The client replied: "${n.detail}"`;
    case 'send_unconfirmed':
      return `${stepLabel(n.detail)} may have been sent: confirm or resend`;
    default:
      return `${stepLabel(n.detail)} due`;
  }
}

function needLink(n: NeedsPerson['items'][number]): { to: string; label: string } {
  if (n.kind === 'approval_overdue' || n.kind === 'sensitive_draft') return { to: '/queue', label: 'Decide' };
  if (n.kind === 'call_due' && n.ref) return { to: `/calls/${n.ref}`, label: 'Prep sheet' };
  return { to: `/accounts/${n.accountId}`, label: 'Open account' };
}

/**
 * A message that may have been sent: the person who checked with the client says which. "Not received"
 * sends the step again (drafted anew; approved as usual), so it asks once more before it does.
 */
function SettleDelivery({ messageId, canDecide }: { messageId: string; canDecide: boolean }) {
  const settle = useSettleDelivery();
  const [asking, setAsking] = useState(false);
  if (!canDecide) return null;
  if (settle.isSuccess) return <Text size="sm">{settle.data.status === 'sent' ? 'Recorded as received' : 'Will be sent again'}</Text>;
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="wrap">
        <Button size="compact-sm" variant="light" loading={settle.isPending} onClick={() => settle.mutate({ messageId, received: true })}>
          Client received it
        </Button>
        {asking ? (
          <Button size="compact-sm" color="red.9" loading={settle.isPending} onClick={() => settle.mutate({ messageId, received: false })}>
            Yes, send it again
          </Button>
        ) : (
          <Button size="compact-sm" variant="default" onClick={() => setAsking(true)}>
            Not received
          </Button>
        )}
      </Group>
      <MutationError error={settle.error} />
    </Stack>
  );
}

function NeedsPersonList() {
  const me = useUser();
  const needs = useNeedsPerson();
  const recommendations = useRecommendations({ status: 'pending', pageSize: 10 }, can(me, 'recommendations:read'));
  if (needs.isPending) return <PageLoading />;
  if (needs.isError) return <NotAvailable what="This list" error={needs.error} />;
  const decisions = recommendations.data?.items ?? [];
  const groups = Object.keys(needLabels)
    .map((kind) => [kind, needs.data.items.filter((n) => n.kind === kind)] as const)
    .filter(([, items]) => items.length > 0);
  if (groups.length === 0 && decisions.length === 0) return <EmptyState title="Nobody is waiting on a person right now" />;
  return (
    <Stack gap="sm" data-testid="needs-person">
      <ManagerDecisions items={decisions} canDecide={can(me, 'recommendations:decide')} />
      {groups.map(([kind, items]) => (
        <section key={kind} aria-label={needLabels[kind as keyof typeof needLabels]} data-need-kind={kind}>
          <Text size="sm" fw={600}>
            {needLabels[kind as keyof typeof needLabels]} ({items.length})
          </Text>
          <Table fz="sm" verticalSpacing={4}>
            <Table.Tbody>
              {items.slice(0, 8).map((n) => (
                <Table.Tr key={`${n.kind}-${n.ref ?? n.accountId}`}>
                  <Table.Td>
                    <Anchor component={Link} to={`/accounts/${n.accountId}`}>
                      {n.accountName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {needText(n)}
                    {n.since ? (
                      <Text size="xs" c="dimmed">
                        since {dateTime(n.since)}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td ta="right">{money(n.balanceCents)}</Table.Td>
                  <Table.Td>
                    {n.kind === 'send_unconfirmed' && n.ref ? (
                      <SettleDelivery messageId={n.ref} canDecide={can(me, 'queue:decide')} />
                    ) : (
                      <Anchor component={Link} to={needLink(n).to} size="sm">
                        {needLink(n).label}
                      </Anchor>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </section>
      ))}
    </Stack>
  );
}

function ActivityFeed() {
  const { events, status } = useActivityStream();
  const statusColor = { connecting: 'gray', live: 'green', reconnecting: 'yellow', unavailable: 'red' }[status];
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Badge color={statusColor} variant="dot">
          {status}
        </Badge>
      </Group>
      {events.length === 0 ? (
        <Text size="sm" c="dimmed">
          {status === 'unavailable' ? 'The live feed is not available.' : 'Waiting for activity…'}
        </Text>
      ) : (
        <Stack gap={4} role="log" aria-live="polite" aria-label="Live activity" data-testid="activity-feed">
          {events.map((e) => (
            <Text size="sm" key={e.id}>
              <Text span c="dimmed" size="xs">
                {relative(e.createdAt)}
              </Text>{' '}
              {e.accountId ? (
                <Anchor component={Link} to={`/accounts/${e.accountId}`}>
                  {e.accountName ?? 'account'}
                </Anchor>
              ) : null}{' '}
              {humanize(e.type.replace(/\./g, ' ')).toLowerCase()}
              {e.actorName ? ` by ${e.actorName}` : ''}
            </Text>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

export function CommandCenterPage() {
  const aging = useAging();
  const trend = useKpiTrend();
  const funnel = useStageFunnel();
  const steps = useStepEffectiveness();

  return (
    <Stack gap="md">
      <Title order={2}>Command center</Title>
      <Headline />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Panel title={aging.data ? `Aging on ${calendarDate(aging.data.asOf)}` : 'Aging'} testId="aging-panel">
            {aging.isPending ? <PageLoading /> : aging.isError ? <NotAvailable what="Aging" error={aging.error} /> : <AgingChart report={aging.data} />}
          </Panel>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Panel title="DSO, ADD and CEI over time">
            {trend.isPending ? (
              <PageLoading />
            ) : trend.error && trend.points.length === 0 ? (
              <NotAvailable what="KPIs" error={trend.error} />
            ) : (
              <KpiTrendChart points={trend.points} />
            )}
          </Panel>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Panel title="Stage funnel">
            {funnel.isPending ? (
              <PageLoading />
            ) : funnel.isError ? (
              <NotAvailable what="The stage funnel" error={funnel.error} />
            ) : funnel.data.items.length === 0 ? (
              <EmptyState title="No accounts in escalation" />
            ) : (
              <FunnelChart items={funnel.data.items} />
            )}
          </Panel>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Panel title="How well each step works">
            {steps.isPending ? (
              <PageLoading />
            ) : steps.isError ? (
              <NotAvailable what="Step effectiveness" error={steps.error} />
            ) : steps.data.items.length === 0 ? (
              <EmptyState title="Nothing sent yet" />
            ) : (
              <StepChart items={steps.data.items} />
            )}
          </Panel>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Panel title="Needs a person now">
            <NeedsPersonList />
          </Panel>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Panel title="Live activity">
            <ActivityFeed />
          </Panel>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
