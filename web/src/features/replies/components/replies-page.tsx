/**
 * Replies: what clients wrote back, what Tactful understood (with the sentence that says it) and what
 * it did. Replies waiting for a person come first; a proposed promise is confirmed in one click.
 */
import { Alert, Anchor, Badge, Blockquote, Button, Card, Group, SegmentedControl, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { ReplyItem } from '../../../../../domain/api/replies';
import { EmptyState, PageError, PageLoading } from '../../../components/page-state';
import { calendarDate, dateTime, humanize } from '../../../lib/format';
import { useConfirmPromise } from '../api/confirm-promise';
import { useMarkHandled } from '../api/mark-handled';
import { useReplies, type ReplyFilters } from '../api/get-replies';

function ReplyCard({ reply }: { reply: ReplyItem }) {
  const confirm = useConfirmPromise();
  const promisedDate = typeof reply.details.promisedDate === 'string' ? reply.details.promisedDate : null;
  return (
    <Card withBorder component="article" aria-label={`Reply from ${reply.from}`}>
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Badge variant="light">{humanize(reply.kind)}</Badge>
          <Text size="sm" c="dimmed">
            {Math.round(reply.confidence * 100)}% sure
          </Text>
          {!reply.knownSender && <Badge color="orange">Unknown sender</Badge>}
          {reply.flags.includes('instruction_like') && <Badge color="red">Tries to instruct the system</Badge>}
          {reply.flags.includes('mentions_bank_details') && <Badge color="red">Mentions bank details</Badge>}
        </Group>
        <Text size="sm" c="dimmed">
          {dateTime(reply.receivedAt)}
        </Text>
      </Group>
      <Text fw={500} mt="xs">
        {reply.accountId ? (
          <Anchor component={Link} to={`/accounts/${reply.accountId}`}>
            {reply.accountName}
          </Anchor>
        ) : (
          'No account matched'
        )}{' '}
        · {reply.from} · {reply.subject}
      </Text>
      {reply.evidence && (
        <Blockquote mt="xs" p="xs" aria-label="What it was understood from">
          {reply.evidence}
        </Blockquote>
      )}
      {reply.text.trim() && reply.text.trim() !== reply.evidence.trim() && (
        <Text size="sm" mt="xs" lineClamp={8} style={{ whiteSpace: 'pre-wrap' }} aria-label="What the client wrote">
          {reply.text.trim()}
        </Text>
      )}
      <Text size="sm" mt="xs">
        {reply.outcome ?? humanize(reply.action)}
      </Text>
      {reply.answerText && (
        <Card withBorder mt="xs" p="xs" aria-label="Drafted answer">
          <Text size="xs" c="dimmed">
            {reply.status === 'answering'
              ? 'Answer drafted from the account’s facts'
              : reply.status === 'done' && reply.outcome?.startsWith('answered')
                ? 'The answer sent'
                : 'The answer drafted from the account’s facts (not sent)'}
          </Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {reply.answerText}
          </Text>
          {reply.status === 'answering' && (
            <Anchor component={Link} to="/queue" size="sm">
              Review it in the queue
            </Anchor>
          )}
        </Card>
      )}
      {reply.status === 'waiting' && <HandledForm replyId={reply.id} />}
      {reply.status === 'proposed' && promisedDate && (
        <Group mt="sm">
          <Button size="xs" loading={confirm.isPending} onClick={() => confirm.mutate(reply.id)}>
            Confirm promise for {calendarDate(promisedDate)}
          </Button>
          {confirm.isError && <Alert color="red">{(confirm.error as Error).message}</Alert>}
        </Group>
      )}
    </Card>
  );
}

/** A reply waiting for a person is settled with a note of what was done: the paper trail keeps it. */
function HandledForm({ replyId }: { replyId: string }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const handled = useMarkHandled();
  if (!open)
    return (
      <Group mt="sm">
        <Button size="xs" variant="light" onClick={() => setOpen(true)}>
          Mark handled…
        </Button>
      </Group>
    );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        handled.mutate({ replyId, note });
      }}
    >
      <Stack gap="xs" mt="sm">
        <Textarea label="What was done" description="For example: called Dana, sent the invoice copy myself" value={note} onChange={(e) => setNote(e.currentTarget.value)} required autosize minRows={2} />
        <Group>
          <Button size="xs" type="submit" loading={handled.isPending} disabled={!note.trim()}>
            Mark handled
          </Button>
          <Button size="xs" variant="subtle" onClick={() => setOpen(false)}>
            Cancel
          </Button>
        </Group>
        {handled.isError && <Alert color="red">{(handled.error as Error).message}</Alert>}
      </Stack>
    </form>
  );
}

export function RepliesPage() {
  const [status, setStatus] = useState<ReplyFilters['status']>('waiting');
  const replies = useReplies({ status, pageSize: 100 });
  return (
    <Stack>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Title order={2}>
          Replies{replies.data ? ` · ${replies.data.waiting} waiting` : ''}
        </Title>
        <SegmentedControl
          aria-label="Reply status"
          value={status}
          onChange={(v) => setStatus(v as ReplyFilters['status'])}
          data={[
            { value: 'waiting', label: 'Needs a person' },
            { value: 'proposed', label: 'Promises to confirm' },
            { value: 'answering', label: 'Answers in the queue' },
            { value: 'verifying', label: 'Verifying payment' },
            { value: 'holding', label: 'Holding' },
            { value: 'done', label: 'Done' },
          ]}
        />
      </Group>
      {replies.isPending ? (
        <PageLoading label="Loading replies" />
      ) : replies.isError ? (
        <PageError error={replies.error} onRetry={() => void replies.refetch()} />
      ) : replies.data.items.length === 0 ? (
        <EmptyState title="No replies here">Client replies appear here as they arrive.</EmptyState>
      ) : (
        replies.data.items.map((r) => <ReplyCard key={r.id} reply={r} />)
      )}
    </Stack>
  );
}
