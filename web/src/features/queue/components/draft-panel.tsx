/**
 * One draft: its text (read or edit), why it is here (step, tone, sensitivity, fact check, source)
 * and the account facts beside it. While editing, the diff against the drafted wording is live so the
 * clerk sees exactly what they are about to put their name to.
 */
import { Alert, Badge, Button, Card, CopyButton, Grid, Group, Kbd, Modal, Stack, Tabs, Text, TextInput, Textarea, Title } from '@mantine/core';
import { getHotkeyHandler, useHotkeys } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DecisionRequest, QueueDetail } from '../../../../../domain/api';
import { FactCheckBadge, ModeBadge, SensitivityBadges, StatusBadge, ToneBadge } from '../../../components/labels';
import { PageError, PageLoading } from '../../../components/page-state';
import { TextDiff } from '../../../components/text-diff';
import { diffWords, hasChanges } from '../../../lib/diff';
import { dateTime, humanize, minutesLabel, money } from '../../../lib/format';
import { useDraft } from '../api/get-draft';
import type { Departure } from './use-departures';
import { sourceLabel, stepLabel } from '../../../lib/labels';
import { AccountFacts } from './account-facts';

interface Props {
  id: string;
  editing: boolean;
  onEditingChange: (editing: boolean) => void;
  onDecide: (decision: DecisionRequest) => void;
  onReject: () => void;
  deciding: boolean;
  canDecide: boolean;
  /** Off while a dialog is open, so typing a reason does not approve the draft. */
  hotkeysEnabled: boolean;
  /** Who took this draft out of the queue and when, from the server's event, if it has left. */
  departure?: Departure | null;
}

/**
 * A plain-text e-mail's invoice table is aligned with spaces: its lines must not wrap, or "Balance due"
 * lands under the wrong column. Prose around it wraps as usual.
 */
function plainTextBlocks(text: string): { table: boolean; text: string }[] {
  const blocks: { table: boolean; text: string }[] = [];
  for (const line of text.split('\n')) {
    const table = /\S {2,}\S/.test(line) || /^[-=\s]{6,}$/.test(line);
    const last = blocks.at(-1);
    if (last && last.table === table) last.text += `\n${line}`;
    else blocks.push({ table, text: line });
  }
  return blocks;
}

export function DraftPanel({ id, ...rest }: Props) {
  const draft = useDraft(id);
  if (draft.isPending) return <PageLoading label="Loading the draft" />;
  if (draft.isError) return <PageError error={draft.error} onRetry={() => void draft.refetch()} />;
  return (
<DraftView key={id} detail={draft.data} {...rest} />
  );
}

function DraftView({ detail, editing, onEditingChange, onDecide, onReject, deciding, canDecide, hotkeysEnabled, departure }: Omit<Props, 'id'> & { detail: QueueDetail }) {
  const m = detail.message;
  const [subject, setSubject] = useState(m.subject);
  const [body, setBody] = useState(m.bodyText);
  const [confirming, setConfirming] = useState(false);
  const subjectRef = useRef<HTMLInputElement>(null);
  const sensitive = m.sensitiveReasons.length > 0 || !detail.factCheck.passed;

  useEffect(() => {
    if (editing) subjectRef.current?.focus();
  }, [editing]);

  const subjectDiff = useMemo(() => diffWords(m.draftSubject, subject), [m.draftSubject, subject]);
  const bodyDiff = useMemo(() => diffWords(m.draftBodyText, body), [m.draftBodyText, body]);
  const changedFromDraft = hasChanges(subjectDiff) || hasChanges(bodyDiff);
  const changedNow = subject !== m.subject || body !== m.bodyText;
  const pending = m.status === 'pending_approval';

  const pendingRef = useRef(pending);
  pendingRef.current = pending;
  const send = () => {
    setConfirming(false);
    // The draft may have left while the dialog was open; the server would refuse, but say nothing to it.
    if (!pendingRef.current) return;
    if (changedNow || (editing && changedFromDraft)) onDecide({ decision: 'approve_with_edits', subject: subject.trim(), bodyText: body.trim() });
    else onDecide({ decision: 'approve' });
  };
  // A sensitive draft (final notice, key account, large balance…) is approved only after a dialog that
  // names the client, the step and the amount; a routine one keeps its single key.
  const approve = () => {
    if (!pending || deciding) return;
    if (sensitive) setConfirming(true);
    else send();
  };
  const cancelEdit = () => {
    setSubject(m.subject);
    setBody(m.bodyText);
    onEditingChange(false);
  };
  const active = hotkeysEnabled && canDecide && pending && !deciding && !confirming;
  // Registered here, not on the page, because only this view knows whether there are unsaved edits.
  useHotkeys([
    ['a', () => active && approve()],
    ['e', () => active && onEditingChange(true)],
    ['r', () => active && onReject()],
  ]);
  const editorKeys = getHotkeyHandler([
    ['mod+Enter', () => active && approve()],
    ['Escape', cancelEdit],
  ]);

  return (
    <Grid gap="md" data-draft-id={m.id}>
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Stack gap="sm">
          {!pending ? (
            <Alert color="yellow" title="This draft has left the queue — nothing here can be sent" role="alert" data-testid="draft-left">
              <Stack gap={4}>
                <Group gap="xs">
                  <StatusBadge status={m.status} />
                  <Text size="sm">
                    {departure
                      ? `${departure.actorName} ${departure.verb} ${dateTime(departure.at)}.`
                      : m.decidedAt
                        ? `Decided ${dateTime(m.decidedAt)}.`
                        : ''}
                  </Text>
                </Group>
                {m.decisionReason ?? departure?.reason ? <Text size="sm">Reason: {m.decisionReason ?? departure?.reason}</Text> : null}
                {changedNow ? <Text size="sm">Your edits were not sent. They are kept below so you can copy them.</Text> : null}
              </Stack>
            </Alert>
          ) : null}

          {detail.question ? (
            <Card withBorder padding="sm" aria-label="The client's question">
              <Text size="xs" c="dimmed">
                {detail.question.from} asked on {dateTime(detail.question.receivedAt)} · {detail.question.subject}
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {detail.question.text}
              </Text>
            </Card>
          ) : null}

          <Card withBorder padding="sm">
            <Group gap="xs" wrap="wrap" mb="xs">
              <Badge variant="outline" tt="none">
                {stepLabel(m.stepId)}
              </Badge>
              <ToneBadge tone={m.tone} />
              <ModeBadge mode={m.mode} />
              <FactCheckBadge passed={detail.factCheck.passed} failures={detail.factCheck.failures} />
              {m.escalated ? <Badge color="red">escalated to managers</Badge> : null}
            </Group>
            <Group gap="lg" wrap="wrap">
              <Text size="sm">
                <Text span c="dimmed">
                  Owed{' '}
                </Text>
                {money(m.amountCents)}
              </Text>
              {detail.question ? null : (
                <Text size="sm">
                  <Text span c="dimmed">
                    Overdue{' '}
                  </Text>
                  {m.daysOverdue > 0 ? `${m.daysOverdue} days` : m.daysOverdue === 0 ? 'due today' : `due in ${-m.daysOverdue} days`}
                </Text>
              )}
              <Text size="sm">
                <Text span c="dimmed">
                  Waiting{' '}
                </Text>
                {minutesLabel(m.waitingMinutes)}
              </Text>
              <Text size="sm">
                <Text span c="dimmed">
                  Written by{' '}
                </Text>
                {sourceLabel(m.source)}
                {m.source === 'model' && m.model ? ` (${m.model})` : ''}
                {m.source === 'model' && m.confidence !== null ? `, ${Math.round(m.confidence * 100)}% sure of its wording` : ''}
              </Text>
            </Group>
            <Group gap="xs" mt="xs" align="center">
              {m.sensitiveReasons.length > 0 ? (
                <>
                  <Text size="sm" c="dimmed">
                    Why a person decides:
                  </Text>
                  <SensitivityBadges reasons={m.sensitiveReasons} />
                </>
              ) : (
                <Text size="sm" c="dimmed">
                  Routine draft: one key approves it.
                </Text>
              )}
            </Group>
            {!detail.factCheck.passed ? (
              <Alert color="red" mt="xs" title="The fact check failed">
                <ul style={{ margin: 0, paddingLeft: '1.2em' }}>
                  {(detail.factCheck.issues?.map((i) => `${humanize(i.category)}: ${i.message}`) ?? detail.factCheck.failures).map((f, i) => (
                    <li key={i}>
                      <Text size="sm">{f}</Text>
                    </li>
                  ))}
                </ul>
              </Alert>
            ) : null}
          </Card>

          <Card withBorder padding="sm">
            <Text size="xs" c="dimmed" mb={4}>
              To {m.toEmail} · {m.channel}
              {m.scheduledFor ? ` · goes out ${dateTime(m.scheduledFor)}` : ''}
            </Text>
            {editing || (!pending && changedNow) ? (
              <Stack gap="xs">
                <TextInput ref={subjectRef} label="Subject" value={subject} readOnly={!pending} onChange={(e) => setSubject(e.currentTarget.value)} onKeyDown={editorKeys} />
                <Textarea
                  label="Message"
                  readOnly={!pending}
                  value={body}
                  onChange={(e) => setBody(e.currentTarget.value)}
                  onKeyDown={editorKeys}
                  autosize
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)' } }}
                  minRows={10}
                  maxRows={24}
                />
                {pending ? (
                  <Text size="xs" c="dimmed">
                    <Kbd>Ctrl</Kbd>+<Kbd>Enter</Kbd> approves with your edits, <Kbd>Esc</Kbd> discards them.
                  </Text>
                ) : (
                  <Group>
                    <CopyButton value={`${subject}\n\n${body}`}>
                      {({ copied, copy }) => (
                        <Button size="xs" variant="default" onClick={copy}>
                          {copied ? 'Copied' : 'Copy your text'}
                        </Button>
                      )}
                    </CopyButton>
                  </Group>
                )}
              </Stack>
            ) : (
              <Stack gap="xs">
                <Title order={4}>{subject}</Title>
                {/* Plain-text e-mail: monospace keeps the invoice table's columns as the client will see them. */}
                <Text size="xs" ff="monospace" data-testid="draft-body" component="div" style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label="Message text">
                  {plainTextBlocks(body).map((b, i) => (
                    <div key={i} style={{ whiteSpace: b.table ? 'pre' : 'pre-wrap' }} data-table-block={b.table || undefined}>
                      {b.text}
                    </div>
                  ))}
                </Text>
              </Stack>
            )}
          </Card>

          {changedFromDraft ? (
            <Card withBorder padding="sm" aria-label="Changes from the draft">
              <Title order={5} mb={4}>
                What changed from the draft
              </Title>
              <Tabs defaultValue="body">
                <Tabs.List>
                  <Tabs.Tab value="body">Message</Tabs.Tab>
                  <Tabs.Tab value="subject">Subject</Tabs.Tab>
                </Tabs.List>
                <Tabs.Panel value="body" pt="xs">
                  <TextDiff parts={bodyDiff} label="Message changes" />
                </Tabs.Panel>
                <Tabs.Panel value="subject" pt="xs">
                  <TextDiff parts={subjectDiff} label="Subject changes" />
                </Tabs.Panel>
              </Tabs>
            </Card>
          ) : null}

          {canDecide && pending ? (
            <Group gap="xs">
              <Button onClick={approve} loading={deciding} color="green">
                {changedNow ? 'Approve with edits' : 'Approve'}
                {sensitive ? '…' : ''} <Kbd ml={6}>a</Kbd>
              </Button>
              {editing ? (
                <Button variant="default" onClick={cancelEdit} disabled={deciding}>
                  Discard edits
                </Button>
              ) : (
                <Button variant="default" onClick={() => onEditingChange(true)} disabled={deciding}>
                  Edit <Kbd ml={6}>e</Kbd>
                </Button>
              )}
              <Button variant="light" color="red" onClick={onReject} disabled={deciding}>
                Reject <Kbd ml={6}>r</Kbd>
              </Button>
            </Group>
          ) : null}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        <AccountFacts detail={detail} />
      </Grid.Col>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Approve a sensitive message" size="md">
        <Stack gap="sm" data-testid="sensitive-confirm">
          <Text>
            You are about to approve the <b>{stepLabel(m.stepId).toLowerCase()}</b> to <b>{detail.account.name}</b> for <b>{money(m.amountCents)}</b>
            {changedNow ? ', with your edits' : ''}.
          </Text>
          <Group gap={4}>
            <SensitivityBadges reasons={m.sensitiveReasons} />
            {!detail.factCheck.passed ? <FactCheckBadge passed={false} /> : null}
          </Group>
          <Text size="sm">It will be sent to {m.toEmail}.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)} data-autofocus>
              Cancel
            </Button>
            <Button color="green" onClick={send}>
              Send {stepLabel(m.stepId).toLowerCase()} to {detail.account.name}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Grid>
  );
}
