/** The manager's overview: what is owed and how late, how well collection works, who needs a person. */
import { Anchor, Badge, Card, Grid, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { RecommendationItem } from '../../../../../domain/api';
import { EmptyState, NotAvailable, PageLoading } from '../../../components/page-state';
import { humanize, minutesLabel, money, percent, relative } from '../../../lib/format';
import { useAging, useApprovalWait, useKpiTrend, useNeedsPerson, usePromiseStats, useStageFunnel, useStepEffectiveness } from '../api/get-metrics';
import { useActivityStream } from '../api/use-activity-stream';
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
    <Card withBorder padding="sm">
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
  const today = trend.points[trend.points.length - 1];
  const overdue = aging.data ? aging.data.totalCents - (aging.data.buckets.find((b) => b.bucket === 'current')?.balanceCents ?? 0) : null;
  return (
    <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }}>
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

function NeedsPerson() {
  const me = useUser();
  const { drafts, calls } = useNeedsPerson();
  const recommendations = useRecommendations({ status: 'pending', pageSize: 10 }, can(me, 'recommendations:read'));
  if (drafts.isPending || calls.isPending) return <PageLoading />;
  const draftItems = drafts.data?.items ?? [];
  const callItems = calls.data?.items ?? [];
  const decisions = recommendations.data?.items ?? [];
  if (drafts.isError && calls.isError) return <NotAvailable what="This list" error={drafts.error} />;
  if (draftItems.length === 0 && callItems.length === 0 && decisions.length === 0) return <EmptyState title="Nobody is waiting on a person right now" />;
  return (
    <Stack gap="sm">
      <ManagerDecisions items={decisions} canDecide={can(me, 'recommendations:decide')} />
      <Table fz="sm" verticalSpacing={4}>
        <Table.Tbody>
          {draftItems.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>
                <Anchor component={Link} to={`/accounts/${d.accountId}`}>
                  {d.accountName}
                </Anchor>
              </Table.Td>
              <Table.Td>
                {humanize(d.stepId)} draft {d.escalated ? <Badge size="xs" color="red">escalated</Badge> : null}
                <Text size="xs" c="dimmed">
                  {d.sensitiveReasons.map(humanize).join(', ')}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{money(d.amountCents)}</Table.Td>
              <Table.Td>
                <Anchor component={Link} to="/queue" size="sm">
                  Decide
                </Anchor>
              </Table.Td>
            </Table.Tr>
          ))}
          {callItems.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>
                <Anchor component={Link} to={`/accounts/${c.accountId}`}>
                  {c.accountName}
                </Anchor>
              </Table.Td>
              <Table.Td>Call due {c.assignedToName ? `(${c.assignedToName})` : '(unassigned)'}</Table.Td>
              <Table.Td ta="right">{money(c.balanceCents)}</Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/calls/${c.id}`} size="sm">
                  Prep sheet
                </Anchor>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
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
          <Panel title={aging.data ? `Aging as of ${aging.data.asOf}` : 'Aging'} testId="aging-panel">
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
            <NeedsPerson />
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
