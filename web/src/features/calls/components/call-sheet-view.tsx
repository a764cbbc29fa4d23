/** The call-prep sheet laid out to fit one printed page: who, what is owed, history, what to say. */
import { Badge, Box, Code, Group, List, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { calendarDate } from '../../../lib/format';
import { CallSheet } from '../api/get-call';
import { reasonLabel, segmentLabel } from '../../../lib/labels';

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Box component="section" style={{ breakInside: 'avoid' }}>
      <Title order={4} size="h5" mb={2}>
        {title}
      </Title>
      {children}
    </Box>
  );
}

export function CallSheetView({ raw }: { raw: unknown }) {
  const parsed = CallSheet.safeParse(raw);
  if (!parsed.success)
    return (
      <Code block style={{ whiteSpace: 'pre-wrap' }}>
        {JSON.stringify(raw, null, 2)}
      </Code>
    );
  const s = parsed.data;
  return (
    <Stack gap="sm" data-testid="call-sheet" className="call-sheet">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={3}>{s.account.name}</Title>
          <Text size="sm" c="dimmed">
            Client for {s.account.tenure} (since {calendarDate(s.account.clientSince)}) · pays by {s.account.paymentMethod.toUpperCase()} · {segmentLabel(s.account.segment)}
          </Text>
        </div>
        <Stack gap={2} align="flex-end">
          <Badge color={s.when.callableNow ? 'green' : 'gray'}>{s.when.callableNow ? 'inside business hours now' : `next window ${s.when.nextWindowLocal}, their time (${s.when.timeZone})`}</Badge>
          <Text size="xs" c="dimmed">
            Their time: {s.when.localNow} ({s.when.timeZone}, {s.when.hours})
          </Text>
        </Stack>
      </Group>

      <SimpleGrid cols={2} spacing="sm">
        <Section title="Who to call">
          {s.contact ? (
            <Text size="sm">
              <b>{s.contact.name}</b>
              {s.contact.role ? `, ${s.contact.role}` : ''} — {s.contact.phone ?? 'no phone on file'} · {s.contact.email}
            </Text>
          ) : (
            <Text size="sm">No contact on file.</Text>
          )}
          {s.otherContacts.length ? (
            <Text size="xs" c="dimmed">
              Also: {s.otherContacts.map((c) => `${c.name}${c.phone ? ` (${c.phone})` : ''}`).join(', ')}
            </Text>
          ) : null}
        </Section>
        <Section title="Payment history">
          <Text size="sm">{s.paymentHistory}</Text>
        </Section>
      </SimpleGrid>

      <Section title={`What is owed: ${s.owed.total} (oldest ${s.owed.oldestDaysPastDue} days past due)`}>
        <Table fz="xs" withTableBorder verticalSpacing={2}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Invoice</Table.Th>
              <Table.Th>Issued</Table.Th>
              <Table.Th>Due</Table.Th>
              <Table.Th ta="right">Days late</Table.Th>
              <Table.Th ta="right">Amount</Table.Th>
              <Table.Th ta="right">Balance</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {s.owed.rows.map((r) => (
              <Table.Tr key={r.number}>
                <Table.Td>{r.number}</Table.Td>
                <Table.Td>{calendarDate(r.issueDate)}</Table.Td>
                <Table.Td>{calendarDate(r.dueDate)}</Table.Td>
                <Table.Td ta="right">{r.daysPastDue}</Table.Td>
                <Table.Td ta="right">{r.amount}</Table.Td>
                <Table.Td ta="right">{r.balance}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Section>

      {s.flags.length ? (
        <Group gap={4}>
          {s.flags.map((f) => (
            <Badge key={f} color="yellow" variant="light" tt="none">
              {reasonLabel(f)}
            </Badge>
          ))}
        </Group>
      ) : null}

      <SimpleGrid cols={2} spacing="sm">
        <Section title="History">
          <List size="xs" spacing={0}>
            {[...s.history.messages, ...s.history.promises, ...s.history.disputes].slice(0, 8).map((h, i) => (
              <List.Item key={i}>{h}</List.Item>
            ))}
            {s.history.messages.length + s.history.promises.length + s.history.disputes.length === 0 ? <List.Item>No earlier contact.</List.Item> : null}
          </List>
        </Section>
        <Section title="Suggested opening">
          <Text size="sm" fs="italic">
            “{s.opening}”
          </Text>
        </Section>
      </SimpleGrid>

      <SimpleGrid cols={2} spacing="sm">
        <Section title="Options to offer">
          <List size="xs" spacing={0}>
            {s.options.map((o) => (
              <List.Item key={o.label}>
                <b>{o.label}:</b> {o.detail}
              </List.Item>
            ))}
          </List>
        </Section>
        <Section title="Do not say">
          <List size="xs" spacing={0}>
            {s.doNotSay.map((d) => (
              <List.Item key={d}>{d}</List.Item>
            ))}
          </List>
        </Section>
      </SimpleGrid>
    </Stack>
  );
}
