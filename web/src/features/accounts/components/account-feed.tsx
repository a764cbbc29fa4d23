/**
 * The account's story in one list — invoices, payments, credits, what was sent (with its text),
 * calls, decisions, notes and the client's replies — and the invoice list with days overdue and links.
 */
import { Anchor, Badge, Group, Spoiler, Stack, Table, Text } from '@mantine/core';
import type { AccountFeedItem, FeedInvoice } from '../../../../../domain/api';
import { StatusBadge } from '../../../components/labels';
import { EmptyState, NotAvailable, PageLoading } from '../../../components/page-state';
import { calendarDate, dateTime } from '../../../lib/format';
import { useAccountFeed } from '../api/get-feed';

const kindLabels: Record<AccountFeedItem['kind'], { label: string; color: string }> = {
  invoice: { label: 'Invoice', color: 'gray' },
  payment: { label: 'Payment', color: 'green' },
  credit: { label: 'Credit', color: 'teal' },
  message: { label: 'Message sent', color: 'blue' },
  call: { label: 'Call', color: 'grape' },
  decision: { label: 'Decision', color: 'indigo' },
  note: { label: 'Note', color: 'yellow' },
  reply: { label: 'Client reply', color: 'orange' },
  promise: { label: 'Promise', color: 'cyan' },
  dispute: { label: 'Dispute', color: 'red' },
};

const moneyIn = (currency: string) => (cents: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);

export function AccountFeedList({ accountId }: { accountId: string }) {
  const feed = useAccountFeed(accountId);
  if (feed.isPending) return <PageLoading />;
  if (feed.isError) return <NotAvailable what="The account feed" error={feed.error} />;
  if (feed.data.items.length === 0) return <EmptyState title="Nothing has happened on this account yet" />;
  return (
    <Stack gap="sm" component="ol" p={0} m={0} style={{ listStyle: 'none' }} data-testid="account-feed" aria-label="Account feed">
      {feed.data.items.map((i) => (
        <li key={i.id} id={`feed-${i.id.replace(':', '-')}`} data-kind={i.kind}>
          <Group gap="xs" wrap="nowrap" align="baseline">
            <Badge size="sm" variant="light" color={kindLabels[i.kind].color} style={{ flexShrink: 0 }}>
              {kindLabels[i.kind].label}
            </Badge>
            <Text size="xs">{!i.dateKnown ? 'Date not known' : i.day ? calendarDate(i.day) : dateTime(i.at)}</Text>
          </Group>
          <Text size="sm">{i.title}</Text>
          {i.body ? (
            <Spoiler maxHeight={66} showLabel="Show all" hideLabel="Show less">
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="feed-body">
                {i.body}
              </Text>
            </Spoiler>
          ) : null}
        </li>
      ))}
    </Stack>
  );
}
