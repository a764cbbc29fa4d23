/**
 * One draft: its text (read or edit), why it is here (step, tone, sensitivity, fact check, source)
 * and the account facts beside it. While editing, the diff against the drafted wording is live so the
 * clerk sees exactly what they are about to put their name to.
 */
import { Alert, Badge, Button, Card, Grid, Group, Kbd, Stack, Tabs, Text, TextInput, Textarea, Title } from '@mantine/core';
import { getHotkeyHandler, useHotkeys } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DecisionRequest, QueueDetail } from '../../../../../domain/api';
import { FactCheckBadge, ModeBadge, SensitivityBadges, StatusBadge, ToneBadge } from '../../../components/labels';
import { PageError, PageLoading } from '../../../components/page-state';
import { TextDiff } from '../../../components/text-diff';
import { diffWords, hasChanges } from '../../../lib/diff';
import { dateTime, humanize, minutesLabel, money } from '../../../lib/format';
import { useDraft } from '../api/get-draft';
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
}

export function DraftPanel({ id, ...rest }: Props) {
  const draft = useDraft(id);
  if (draft.isPending) return <PageLoading label="Loading the draft" />;
  if (draft.isError) return <PageError error={draft.error} onRetry={() => void draft.refetch()} />;
  return (
<DraftView key={id} detail={draft.data} {...rest} />
  );
}

function DraftView({ detail, editing, onEditingChange, onDecide, onReject, deciding, canDecide, hotkeysEnabled }: Omit<Props, 'id'> & { detail: QueueDetail }) {
  const m = detail.message;
  const [subject, setSubject] = useState(m.subject);
  const [body, setBody] = useState(m.bodyText);
  const subjectRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (editing) subjectRef.current?.focus();
  }, [editing]);

  const subjectDiff = useMemo(() => diffWords(m.draftSubject, subject), [m.draftSubject, subject]);
  const bodyDiff = useMemo(() => diffWords(m.draftBodyText, body), [m.draftBodyText, body]);
  const changedFromDraft = hasChanges(subjectDiff) || hasChanges(bodyDiff);
  const changedNow = subject !== m.subject || body !== m.bodyText;
  const pending = m.status === 'pending_approval';

  const approve = () => {
    if (changedNow || (editing && changedFromDraft)) onDecide({ decision: 'approve_with_edits', subject: subject.trim(), bodyText: body.trim() });
    else onDecide({ decision: 'approve' });
  };
  const cancelEdit = () => {
    setSubject(m.subject);
    setBody(m.bodyText);
    onEditingChange(false);
  };
  const active = hotkeysEnabled && canDecide && pending && !deciding;
  // Registered here, not on the page, because only this view knows whether there are unsaved edits.
  useHotkeys([
    ['a', () => active && approve()],
    ['e', () => active && onEditingChange(true)],
    ['r', () => active && onReject()],
  ]);
  const editorKeys = getHotkeyHandler([
    ['mod+Enter', approve],
    ['Escape', cancelEdit],
  ]);

  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Stack gap="sm">
          {!pending ? (
            <Alert color="gray" title="This draft is no longer waiting" role="status">
              <Group gap="xs">
                <StatusBadge status={m.status} />
                <Text size="sm">{m.decisionReason ?? ''}</Text>
              </Group>
            </Alert>
          ) : null}

          <Card withBorder padding="sm">
            <Group gap="xs" wrap="wrap" mb="xs">
              <Badge variant="outline" tt="none">
                {humanize(m.stepId)}
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
              <Text size="sm">
                <Text span c="dimmed">
                  Overdue{' '}
                </Text>
                {m.daysOverdue > 0 ? `${m.daysOverdue} days` : m.daysOverdue === 0 ? 'due today' : `due in ${-m.daysOverdue} days`}
              </Text>
              <Text size="sm">
                <Text span c="dimmed">
                  Waiting{' '}
                </Text>
                {minutesLabel(m.waitingMinutes)}
              </Text>
              <Text size="sm">
                <Text span c="dimmed">
                  Drafted by{' '}
                </Text>
                {m.source}
                {m.model ? ` (${m.model})` : ''}
                {m.confidence !== null ? `, confidence ${Math.round(m.confidence * 100)}%` : ''}
              </Text>
            </Group>
            <Group gap="xs" mt="xs" align="center">
              <Text size="sm" c="dimmed">
                Why a person decides:
              </Text>
              <SensitivityBadges reasons={m.sensitiveReasons} />
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
            {editing ? (
              <Stack gap="xs">
                <TextInput ref={subjectRef} label="Subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} onKeyDown={editorKeys} />
                <Textarea
                  label="Message"
                  value={body}
                  onChange={(e) => setBody(e.currentTarget.value)}
                  onKeyDown={editorKeys}
                  autosize
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)' } }}
                  minRows={10}
                  maxRows={24}
                />
                <Text size="xs" c="dimmed">
                  <Kbd>Ctrl</Kbd>+<Kbd>Enter</Kbd> approves with your edits, <Kbd>Esc</Kbd> discards them.
                </Text>
              </Stack>
            ) : (
              <Stack gap="xs">
                <Title order={4}>{subject}</Title>
                {/* Plain-text e-mail: monospace keeps the invoice table's columns as the client will see them. */}
                <Text size="xs" ff="monospace" style={{ whiteSpace: 'pre-wrap' }} data-testid="draft-body">
                  {body}
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
                {changedNow ? 'Approve with edits' : 'Approve'} <Kbd ml={6}>a</Kbd>
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
    </Grid>
  );
}
