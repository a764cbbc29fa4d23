/** All accounts, searchable and sortable; the way into an account's page. */
import { Anchor, Badge, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { modes, segments } from '../../../../../domain/facts';
import { ModeBadge } from '../../../components/labels';
import { Pager } from '../../../components/pager';
import { EmptyState, PageError, PageLoading } from '../../../components/page-state';
import { calendarDate, dateTime, humanize, money } from '../../../lib/format';
import { nextActionLabel } from '../../../lib/labels';
import { useAccounts, type AccountFilters } from '../api/get-accounts';

export function AccountListPage() {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const [mode, setMode] = useState<string | null>(null);
  const [segment, setSegment] = useState<string | null>(null);
  const [sort, setSort] = useState<NonNullable<AccountFilters['sort']>>('balance');
  const [page, setPage] = useState(1);
  const filters: AccountFilters = {
    search: debounced || undefined,
    mode: (mode as AccountFilters['mode']) ?? undefined,
    segment: (segment as AccountFilters['segment']) ?? undefined,
    sort,
    order: sort === 'name' ? 'asc' : sort === 'balance' ? 'desc' : 'asc',
    page,
    pageSize: 50,
  };
  const accounts = useAccounts(filters);
  const reset = () => setPage(1);

  return (
    <Stack>
      <Title order={2}>Accounts</Title>
      <Group align="flex-end" wrap="wrap">
        <TextInput label="Search" placeholder="Name or reference" value={search} onChange={(e) => { setSearch(e.currentTarget.value); reset(); }} w={240} />
        <Select label="Mode" clearable placeholder="Any" value={mode} onChange={(v) => { setMode(v); reset(); }} data={[...modes]} w={150} />
        <Select label="Segment" clearable placeholder="Any" value={segment} onChange={(v) => { setSegment(v); reset(); }} data={segments.map((s) => ({ value: s, label: humanize(s) }))} w={170} />
        <Select
          label="Sort by"
          allowDeselect={false}
          value={sort}
          onChange={(v) => { setSort((v as typeof sort) ?? 'balance'); reset(); }}
          data={[
            { value: 'balance', label: 'Balance (largest first)' },
            { value: 'next_action', label: 'Next action (soonest)' },
            { value: 'name', label: 'Name' },
          ]}
          w={210}
        />
      </Group>
      {accounts.isPending ? (
        <PageLoading label="Loading accounts" />
      ) : accounts.isError ? (
        <PageError error={accounts.error} onRetry={() => void accounts.refetch()} />
      ) : accounts.data.items.length === 0 ? (
        <EmptyState title="No accounts match">Try a different search or clear the filters.</EmptyState>
      ) : (
        <>
          <Text size="sm" c="dimmed">
            {accounts.data.total} accounts
          </Text>
          <Table striped highlightOnHover fz="sm" aria-label="Accounts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Account</Table.Th>
                <Table.Th ta="right">Balance</Table.Th>
                <Table.Th>Oldest due</Table.Th>
                <Table.Th>Stage</Table.Th>
                <Table.Th>Next action</Table.Th>
                <Table.Th>Mode</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {accounts.data.items.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/accounts/${a.id}`} fw={600}>
                      {a.name}
                    </Anchor>
                    <Group gap={4}>
                      <Text size="xs" c="dimmed">
                        {humanize(a.segment)}
                      </Text>
                      {a.paused ? <Badge size="xs" color="orange">paused</Badge> : null}
                      {a.disputeOpen ? <Badge size="xs" color="red">dispute</Badge> : null}
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right">{money(a.balanceCents)}</Table.Td>
                  <Table.Td>{calendarDate(a.oldestDueDate)}</Table.Td>
                  <Table.Td>{humanize(a.stage)}</Table.Td>
                  <Table.Td>
                    {a.nextAction ? nextActionLabel(a.nextAction) : '—'}
                    {a.nextActionAt ? (
                      <Text size="xs" c="dimmed">
                        {dateTime(a.nextActionAt)}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <ModeBadge mode={a.mode} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {accounts.data.total > accounts.data.pageSize ? (
            <Pager total={Math.ceil(accounts.data.total / accounts.data.pageSize)} value={page} onChange={setPage} aria-label="Account pages" />
          ) : null}
        </>
      )}
    </Stack>
  );
}
