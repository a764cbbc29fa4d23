/** The facts a draft must agree with, shown beside its text so the clerk can check every figure. */
import { Anchor, Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { QueueDetail } from '../../../../../domain/api';
import { StatusBadge } from '../../../components/labels';
import { calendarDate, dateTime, humanize, money } from '../../../lib/format';

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm" ta="right">
        {children}
      </Text>
    </Group>
  );
}

export function AccountFacts({ detail }: { detail: QueueDetail }) {
  const { account, invoices, history } = detail;
  const statement = detail.statement ?? null;
  const stateOf = new Map((statement?.invoices ?? []).map((i) => [i.id, i]));
  return (
    <Stack gap="sm" component="section" aria-label="Account facts">
      <Card withBorder padding="sm">
        <Group justify="space-between" mb={4}>
          <Title order={4}>
            <Anchor component={Link} to={`/accounts/${account.id}`}>
              {account.name}
            </Anchor>
          </Title>
          <Badge variant="outline">{humanize(account.segment)}</Badge>
        </Group>
        <Fact label="Balance">{money(account.balanceCents)}</Fact>
        {statement ? (
          <>
            <Fact label={`Overdue on ${calendarDate(statement.sendDate)}`}>{money(statement.overdueCents)}</Fact>
            <Fact label="Not yet due">{money(statement.upcomingCents)}</Fact>
          </>
        ) : null}
        <Fact label="Stage">{humanize(account.stage)}</Fact>
        <Fact label="Mode">{account.mode}</Fact>
        <Fact label="Client since">{calendarDate(account.clientSince)}</Fact>
        <Fact label="Pays by">{account.paymentMethod.toUpperCase()}</Fact>
        <Fact label="Time zone">{account.timeZone}</Fact>
        {account.paused ? <Fact label="Automation">paused</Fact> : null}
        {account.disputeOpen ? (
          <Text size="sm" c="red.9" fw={600}>
            A dispute is open on this account.
          </Text>
        ) : null}
        {account.openPromise ? (
          <Text size="sm" c="blue">
            Promised to pay {account.openPromise.amountCents ? money(account.openPromise.amountCents) : ''} by{' '}
            {calendarDate(account.openPromise.promisedDate)}.
          </Text>
        ) : null}
      </Card>

      <Card withBorder padding="sm">
        <Title order={5} mb={4}>
          Invoices in this message
        </Title>
        {invoices.length === 0 ? (
          <Text size="sm" c="dimmed">
            None listed.
          </Text>
        ) : (
          <Table fz="sm" verticalSpacing={2} striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Number</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th ta="right">Balance</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {invoices.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>{i.number}</Table.Td>
                  <Table.Td>
                    {calendarDate(i.dueDate)}
                    {stateOf.get(i.id) ? (
                      <Text span size="xs" c={stateOf.get(i.id)!.state === 'overdue' ? 'red.9' : 'dimmed'}>
                        {' '}
                        {stateOf.get(i.id)!.state === 'overdue' ? `${stateOf.get(i.id)!.daysPastDue} days overdue` : 'not yet due'}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td ta="right">
                    {money(i.balanceCents)}
                    {i.status !== 'open' ? (
                      <>
                        {' '}
                        <StatusBadge status={i.status} />
                      </>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>

      <Card withBorder padding="sm">
        <Title order={5} mb={4}>
          Earlier messages
        </Title>
        {statement?.firstContact ? (
          <Text size="sm" c="dimmed" mb={4}>
            Nothing has been written to this client in this cycle: this is the first contact.
          </Text>
        ) : null}
        {history.length === 0 ? (
          statement ? null : (
            <Text size="sm" c="dimmed">
              This is the first message to this account.
            </Text>
          )
        ) : (
          <Stack gap={4}>
            {history.slice(0, 6).map((h) => (
              <Group key={h.id} justify="space-between" wrap="nowrap" gap="xs">
                <Text size="sm" lineClamp={1} title={h.subject}>
                  {humanize(h.stepId)}
                </Text>
                <Group gap={4} wrap="nowrap">
                  <StatusBadge status={h.status} />
                  <Text size="xs" c="dimmed">
                    {dateTime(h.sentAt ?? h.createdAt)}
                  </Text>
                </Group>
              </Group>
            ))}
          </Stack>
        )}
      </Card>
    </Stack>
  );
}
