/** One call: the prep sheet (printable) and the outcome form beside it. */
import { Alert, Anchor, Breadcrumbs, Button, Card, Grid, Group, NumberInput, SegmentedControl, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { CallOutcomeRequest } from '../../../../../domain/api';
import { StatusBadge } from '../../../components/labels';
import { MutationError, PageError, PageLoading } from '../../../components/page-state';
import { useUser } from '../../../lib/auth';
import { can } from '../../../lib/authorization';
import { addDaysIso, calendarDate, dateTime, humanize, money, todayIso } from '../../../lib/format';
import { useCall } from '../api/get-call';
import { useLogOutcome } from '../api/log-outcome';
import { CallSheetView } from './call-sheet-view';

type OutcomeKind = CallOutcomeRequest['outcome'];

function OutcomeForm({ callId, accountId }: { callId: string; accountId: string }) {
  const log = useLogOutcome();
  const [outcome, setOutcome] = useState<OutcomeKind>('promise');
  const [date, setDate] = useState(addDaysIso(todayIso(), 7));
  const [amount, setAmount] = useState<number | string>('');
  const [reason, setReason] = useState('');
  const [notes, setNotes] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const base = { notes: notes.trim() || undefined };
    const candidate =
      outcome === 'promise'
        ? { outcome, promisedDate: date, amountCents: amount === '' ? undefined : Math.round(Number(amount) * 100), ...base }
        : outcome === 'dispute'
          ? { outcome, reason, ...base }
          : { outcome, ...base };
    const parsed = CallOutcomeRequest.safeParse(candidate);
    if (!parsed.success) {
      const errs: Record<string, string> = {};
      for (const i of parsed.error.issues) errs[String(i.path[0])] ??= i.message;
      setErrors(errs);
      return;
    }
    setErrors({});
    log.mutate({ id: callId, body: parsed.data });
  };

  if (log.isSuccess)
    return (
      <Alert color="green" title="Outcome logged" role="status">
        <Text size="sm">
          Recorded: {humanize(log.data.recorded)}.{' '}
          <Anchor component={Link} to={`/accounts/${accountId}`}>
            See the account and its next action
          </Anchor>
          .
        </Text>
      </Alert>
    );

  return (
    <form onSubmit={submit} aria-label="Log the call's outcome">
      <Stack gap="sm">
        <SegmentedControl
          aria-label="Outcome"
          orientation="vertical"
          fullWidth
          value={outcome}
          onChange={(v) => setOutcome(v as OutcomeKind)}
          data={[
            { value: 'promise', label: 'Promised to pay' },
            { value: 'dispute', label: 'Disputes the invoice' },
            { value: 'no_answer', label: 'No answer' },
            { value: 'wrong_number', label: 'Wrong number' },
            { value: 'other', label: 'Other' },
          ]}
        />
        {outcome === 'promise' ? (
          <>
            <TextInput type="date" label="Promised date" required min={todayIso()} value={date} onChange={(e) => setDate(e.currentTarget.value)} error={errors.promisedDate} />
            <NumberInput label="Amount (optional)" prefix="$" decimalScale={2} min={0} thousandSeparator="," value={amount} onChange={setAmount} error={errors.amountCents} />
          </>
        ) : null}
        {outcome === 'dispute' ? (
          <Textarea label="What they dispute" required autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={errors.reason} />
        ) : null}
        <Textarea label="Notes" autosize minRows={2} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} error={errors.notes} />
        <MutationError error={log.error} />
        <Button type="submit" loading={log.isPending}>
          Log outcome
        </Button>
      </Stack>
    </form>
  );
}

export function CallPage() {
  const { callId = '' } = useParams();
  const me = useUser();
  const call = useCall(callId);
  if (call.isPending) return <PageLoading label="Loading the call" />;
  if (call.isError) return <PageError error={call.error} onRetry={() => void call.refetch()} />;
  const { task, sheet } = call.data;

  return (
    <Stack gap="sm">
      <Breadcrumbs className="no-print">
        <Anchor component={Link} to="/calls">
          Calls
        </Anchor>
        <Text>{task.accountName}</Text>
      </Breadcrumbs>
      <Group justify="space-between" className="no-print">
        <div>
          <Title order={2}>Call {task.accountName}</Title>
          <Text size="sm" c="dimmed">
            {humanize(task.stepId)} · owes {money(task.balanceCents)} · due {dateTime(task.dueAt)} · {task.assignedToName ?? 'unassigned'}
          </Text>
        </div>
        <Group>
          <StatusBadge status={task.status} />
          <Button variant="default" onClick={() => window.print()} disabled={!sheet}>
            Print sheet
          </Button>
        </Group>
      </Group>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Card withBorder>
            {sheet ? (
              <>
                <CallSheetView raw={sheet.sheet} />
                <Text size="xs" c="dimmed" mt="xs">
                  Prepared {dateTime(sheet.createdAt)} ({sheet.source}, v{sheet.version})
                </Text>
              </>
            ) : (
              <PageLoading label="The call-prep sheet is being prepared" />
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }} className="no-print">
          <Card withBorder>
            <Title order={3} size="h4" mb="sm">
              Outcome
            </Title>
            {task.status !== 'open' ? (
              <Stack gap={4}>
                <Text size="sm">
                  {humanize(task.outcome)} {task.completedAt ? `on ${dateTime(task.completedAt)}` : ''}
                </Text>
                {task.promisedDate ? <Text size="sm">Promised for {calendarDate(task.promisedDate)}</Text> : null}
                {task.outcomeNotes ? <Text size="sm">{task.outcomeNotes}</Text> : null}
              </Stack>
            ) : can(me, 'calls:log') ? (
              <OutcomeForm callId={task.id} accountId={task.accountId} />
            ) : (
              <Text size="sm" c="dimmed">
                Only callers and managers log call outcomes.
              </Text>
            )}
            <Anchor component={Link} to={`/accounts/${task.accountId}`} size="sm" mt="sm" display="block">
              Open the account
            </Anchor>
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
