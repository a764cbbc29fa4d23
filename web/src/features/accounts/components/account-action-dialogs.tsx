/** Pause/resume, promise, dispute and note: small forms validated with the shared request schemas. */
import { Button, Group, Modal, NumberInput, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { z } from 'zod';
import { OpenDisputeRequest, PauseRequest, PromiseRequest, NoteRequest, ResolveDisputeRequest, type AccountDetail } from '../../../../../domain/api';
import { MutationError } from '../../../components/page-state';
import { calendarDate, todayIso } from '../../../lib/format';
import { useAddNote, useOpenDispute, usePause, useRecordPromise, useResolveDispute, useResume } from '../api/account-actions';

type Errors = Record<string, string>;
function issuesOf(error: z.ZodError): Errors {
  const out: Errors = {};
  for (const i of error.issues) out[String(i.path[0] ?? '_')] ??= i.message;
  return out;
}

function Dialog({ title, opened, onClose, onSubmit, submitLabel, loading, error, children, color }: {
  title: string;
  opened: boolean;
  onClose: () => void;
  onSubmit: () => void;
  submitLabel: string;
  loading: boolean;
  error: unknown;
  children: ReactNode;
  color?: string;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <Stack>
          {children}
          <MutationError error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={loading} color={color}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function PromiseDialog({ accountId, opened, onClose, onDone }: { accountId: string; opened: boolean; onClose: () => void; onDone: () => void }) {
  const m = useRecordPromise(accountId);
  // No date is suggested: a promise is what the client said, and one click must not invent one.
  const [date, setDate] = useState('');
  const [amount, setAmount] = useState<number | string>('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const submit = () => {
    if (!date) return setErrors({ promisedDate: 'Enter the date the client promised to pay by.' });
    const parsed = PromiseRequest.safeParse({
      promisedDate: date,
      amountCents: amount === '' ? undefined : Math.round(Number(amount) * 100),
      note: note.trim() || undefined,
    });
    if (!parsed.success) return setErrors(issuesOf(parsed.error));
    setErrors({});
    m.mutate(parsed.data, {
      onSuccess: () => {
        setDate('');
        setAmount('');
        setNote('');
        onDone();
      },
    });
  };
  return (
    <Dialog title="Record a promise to pay" opened={opened} onClose={onClose} onSubmit={submit} submitLabel="Record promise" loading={m.isPending} error={m.error}>
      <TextInput type="date" label="Promised date" required value={date} min={todayIso()} onChange={(e) => setDate(e.currentTarget.value)} error={errors.promisedDate} description="Escalation pauses until this date plus the grace days." />
      <NumberInput label="Amount promised (optional)" prefix="$" decimalScale={2} min={0} thousandSeparator="," value={amount} onChange={setAmount} error={errors.amountCents} />
      <Textarea label="Note" autosize minRows={2} value={note} onChange={(e) => setNote(e.currentTarget.value)} error={errors.note} />
    </Dialog>
  );
}

export function DisputeDialog({ account, opened, onClose, onDone }: { account: AccountDetail; opened: boolean; onClose: () => void; onDone: () => void }) {
  const m = useOpenDispute(account.account.id);
  const [reason, setReason] = useState('');
  const [invoiceId, setInvoiceId] = useState<string | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const submit = () => {
    const parsed = OpenDisputeRequest.safeParse({ reason, invoiceId: invoiceId ?? undefined });
    if (!parsed.success) return setErrors(issuesOf(parsed.error));
    setErrors({});
    m.mutate(parsed.data, {
      onSuccess: () => {
        setReason('');
        setInvoiceId(null);
        onDone();
      },
    });
  };
  return (
    <Dialog title="Open a dispute" opened={opened} onClose={onClose} onSubmit={submit} submitLabel="Open dispute" loading={m.isPending} error={m.error} color="red">
      <Select
        label="Invoice (optional)"
        clearable
        placeholder="The whole account"
        value={invoiceId}
        onChange={setInvoiceId}
        data={account.invoices.filter((i) => i.status === 'open').map((i) => ({ value: i.id, label: `${i.number} — due ${calendarDate(i.dueDate)}` }))}
      />
      <Textarea label="What the client disputes" required autosize minRows={3} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={errors.reason} description="Automation stops for this account until a person resolves it." />
    </Dialog>
  );
}

export function ResolveDisputeDialog({ accountId, disputeId, onClose, onDone }: { accountId: string; disputeId: string | null; onClose: () => void; onDone: () => void }) {
  const m = useResolveDispute(accountId);
  const [resolution, setResolution] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const submit = () => {
    const parsed = ResolveDisputeRequest.safeParse({ resolution });
    if (!parsed.success || !disputeId) return setErrors(parsed.success ? {} : issuesOf(parsed.error));
    m.mutate({ disputeId, ...parsed.data }, { onSuccess: () => (setResolution(''), onDone()) });
  };
  return (
    <Dialog title="Resolve the dispute" opened={Boolean(disputeId)} onClose={onClose} onSubmit={submit} submitLabel="Resolve" loading={m.isPending} error={m.error}>
      <Textarea label="Resolution" required autosize minRows={3} value={resolution} onChange={(e) => setResolution(e.currentTarget.value)} error={errors.resolution} />
    </Dialog>
  );
}

export function PauseDialog({ accountId, paused, opened, onClose, onDone }: { accountId: string; paused: boolean; opened: boolean; onClose: () => void; onDone: () => void }) {
  const pause = usePause(accountId);
  const resume = useResume(accountId);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  // What the dialog does is fixed when it opens, and it opens empty: a Resume never carries the words
  // typed to pause, and the live page flipping underneath does not turn a Resume into a Pause.
  const [resuming, setResuming] = useState(paused);
  const pausedNow = useRef(paused);
  pausedNow.current = paused;
  useEffect(() => {
    if (!opened) return;
    setResuming(pausedNow.current);
    setReason('');
    setErrors({});
  }, [opened]);
  const submit = () => {
    if (resuming) return resume.mutate({ reason: reason.trim() || undefined }, { onSuccess: onDone });
    const parsed = PauseRequest.safeParse({ reason });
    if (!parsed.success) return setErrors(issuesOf(parsed.error));
    setErrors({});
    pause.mutate(parsed.data, { onSuccess: onDone });
  };
  return (
    <Dialog
      title={resuming ? 'Resume follow-ups' : 'Pause follow-ups'}
      opened={opened}
      onClose={onClose}
      onSubmit={submit}
      submitLabel={resuming ? 'Resume' : 'Pause'}
      loading={pause.isPending || resume.isPending}
      error={pause.error ?? resume.error}
    >
      <Textarea
        label={resuming ? 'Reason (optional)' : 'Reason'}
        required={!resuming}
        autosize
        minRows={2}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        error={errors.reason}
        description={resuming ? 'The account continues from where it stands today.' : 'No automatic follow-up goes out until someone resumes.'}
      />
    </Dialog>
  );
}

export function NoteDialog({ accountId, opened, onClose, onDone }: { accountId: string; opened: boolean; onClose: () => void; onDone: () => void }) {
  const m = useAddNote(accountId);
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const submit = () => {
    const parsed = NoteRequest.safeParse({ text });
    if (!parsed.success) return setErrors(issuesOf(parsed.error));
    setErrors({});
    m.mutate(parsed.data, {
      onSuccess: () => {
        setText('');
        onDone();
      },
    });
  };
  return (
    <Dialog title="Add a note" opened={opened} onClose={onClose} onSubmit={submit} submitLabel="Add note" loading={m.isPending} error={m.error}>
      <Textarea label="Note" required autosize minRows={3} value={text} onChange={(e) => setText(e.currentTarget.value)} error={errors.text} />
    </Dialog>
  );
}
