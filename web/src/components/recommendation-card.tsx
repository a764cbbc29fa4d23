/**
 * A service pause or collections referral put to a manager: the account's paper trail as it is now,
 * and approve/decline with the reason that goes on the record. The answer (e.g. "already decided")
 * comes back from the server and is shown as it is.
 */
import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { RecommendationDecisionRequest, type RecommendationItem } from '../../../domain/api';
import { calendarDate, dateTime, money } from '../lib/format';
import { useDecideRecommendation } from '../lib/recommendations';
import { MutationError } from './page-state';

const kindLabel = { service_pause: 'Pause the client’s services', collections: 'Refer to collections' } as const;

function Fact({ label, value }: { label: string; value: string | number }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={600}>
        {value}
      </Text>
    </div>
  );
}

export function RecommendationCard({ item, canDecide, title }: { item: RecommendationItem; canDecide: boolean; title?: React.ReactNode }) {
  const decide = useDecideRecommendation();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const trail = item.paperTrail;

  const submit = (decision: 'approve' | 'decline') => {
    const parsed = RecommendationDecisionRequest.safeParse({ decision, reason });
    if (!parsed.success) return setError('Say why: the reason goes on the paper trail with your name.');
    setError(null);
    decide.mutate({ id: item.id, body: parsed.data });
  };

  return (
    <Card withBorder padding="sm" component="article" aria-label={`${kindLabel[item.kind]}: ${item.accountName}`} data-testid="recommendation" data-recommendation-id={item.id}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={600}>
            {title ?? kindLabel[item.kind]}
          </Text>
          <Badge color={item.kind === 'collections' ? 'red' : 'orange'} variant="light">
            {item.status}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed">
          Recommended {dateTime(item.createdAt)} at {money(item.balanceCents)}, {item.daysOverdue} days overdue.
        </Text>
        <SimpleGrid cols={4} spacing="xs" aria-label="Paper trail" data-testid="paper-trail">
          <Fact label="Owed now" value={money(trail.balanceCents)} />
          <Fact label="Open invoices" value={trail.openInvoices} />
          <Fact label="Oldest due" value={calendarDate(trail.oldestDueDate)} />
          <Fact label="Days overdue" value={trail.daysOverdue} />
          <Fact label="Messages sent" value={trail.messagesSent} />
          <Fact label="Calls logged" value={trail.callsLogged} />
          <Fact label="Promises broken" value={trail.promisesBroken} />
          <Fact label="Disputes" value={trail.disputesOpened} />
        </SimpleGrid>
        {decide.isSuccess ? (
          <Text size="sm" c="green" role="status" data-testid="recommendation-outcome">
            {decide.data.status === 'approved' ? 'Approved' : 'Declined'} — on the record with your reason.
          </Text>
        ) : canDecide ? (
          <>
            <Textarea
              label="Reason"
              description="Required; it goes on the paper trail with your name."
              autosize
              minRows={1}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              error={error}
            />
            <MutationError error={decide.error} />
            <Group justify="flex-end" gap="xs">
              <Button size="xs" variant="default" onClick={() => submit('decline')} loading={decide.isPending && decide.variables?.body.decision === 'decline'}>
                Decline
              </Button>
              <Button size="xs" color={item.kind === 'collections' ? 'red' : 'orange'} onClick={() => submit('approve')} loading={decide.isPending && decide.variables?.body.decision === 'approve'}>
                Approve
              </Button>
            </Group>
          </>
        ) : (
          <Text size="xs" c="dimmed">
            A manager decides this.
          </Text>
        )}
      </Stack>
    </Card>
  );
}
