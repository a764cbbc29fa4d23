/** The paper trail: every event with who and when, newest first, with older pages on request. */
import { Badge, Button, Code, Group, Spoiler, Stack, Text, Timeline } from '@mantine/core';
import { useState } from 'react';
import type { TimelineEvent } from '../../../../../domain/api';
import { PageError } from '../../../components/page-state';
import { calendarDate, dateTime, humanize, money } from '../../../lib/format';
import { getTimeline } from '../api/get-account';
import { eventLabel, outcomeLabel, reasonLabel, sourceLabel, statusLabel, stepLabel } from '../../../lib/labels';

const colorFor = (type: string) =>
  type.includes('sent')
    ? 'green'
    : type.includes('reject') || type.includes('dispute') || type.includes('broken')
      ? 'red'
      : type.includes('promise')
        ? 'blue'
        : type.includes('mode') || type.includes('pause') || type.includes('resume')
          ? 'violet'
          : type.includes('payment')
            ? 'teal'
            : 'gray';

function actorLabel(e: TimelineEvent): string {
  if (e.actor.name) return e.actor.name;
  return { user: 'a user', system: 'Tactful', integration: 'an integration', client: 'the client' }[e.actor.type];
}

/**
 * The fields people read, in the order they read them, with their names in words. Anything else in an
 * event (ids, prompt versions, flags) stays in the paper trail but is not shown as if it meant something.
 */
const fields: [key: string, label: string][] = [
  ['subject', 'Subject'],
  ['stepId', 'Step'],
  ['decision', 'Decision'],
  ['status', 'Status'],
  ['mode', 'Mode'],
  ['from', 'From'],
  ['to', 'To'],
  ['reason', 'Reason'],
  ['promisedDate', 'Promised for'],
  ['amountCents', 'Amount'],
  ['outcome', 'Outcome'],
  ['notes', 'Notes'],
  ['text', 'Note'],
  ['resolution', 'Resolution'],
  ['invoiceNumber', 'Invoice'],
  ['number', 'Invoice'],
  ['dueDate', 'Due'],
  ['balanceCents', 'Balance'],
  ['reference', 'Reference'],
  ['method', 'Method'],
  ['tone', 'Tone'],
  ['source', 'Written by'],
  ['sensitiveReasons', 'A person decides because'],
  ['occurredAt', 'Happened'],
  ['waitedHours', 'Waited'],
];

function formatValue(key: string, value: unknown): string {
  if (typeof value === 'number' && /cents$/i.test(key)) return money(value);
  if (typeof value === 'string' && /date$/i.test(key) && /^\d{4}-\d{2}-\d{2}$/.test(value)) return calendarDate(value);
  if (typeof value === 'string' && /At$/.test(key)) return dateTime(value);
  if (typeof value === 'string' && key === 'stepId') return stepLabel(value);
  if (typeof value === 'string' && key === 'source') return sourceLabel(value);
  if (typeof value === 'string' && key === 'outcome') return outcomeLabel(value);
  if (typeof value === 'string' && (key === 'status' || key === 'decision')) return statusLabel(value);
  if (typeof value === 'string' && (key === 'mode' || key === 'tone' || key === 'method')) return humanize(value);
  if (typeof value === 'number' && key === 'waitedHours') return `${value} hours`;
  if (Array.isArray(value) && key === 'sensitiveReasons') return value.map((v) => reasonLabel(String(v))).join('; ');
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return '';
}

function EventBody({ event }: { event: TimelineEvent }) {
  const data = event.data ?? {};
  const body = typeof data.bodyText === 'string' ? data.bodyText : null;
  const shown = fields.filter(([k]) => {
    const v = data[k];
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return false;
    return formatValue(k, v) !== '';
  });
  return (
    <Stack gap={2}>
      {shown.slice(0, 6).map(([k, label]) => (
        <Text key={k} size="sm">
          <Text span c="dimmed">
            {label}:
          </Text>{' '}
          {formatValue(k, data[k])}
        </Text>
      ))}
      {body ? (
        <Spoiler maxHeight={60} showLabel="Show the whole message" hideLabel="Show less">
          <Code block style={{ whiteSpace: 'pre-wrap' }}>
            {body}
          </Code>
        </Spoiler>
      ) : null}
    </Stack>
  );
}

export function AccountTimeline({ accountId, first }: { accountId: string; first: TimelineEvent[] }) {
  const [older, setOlder] = useState<TimelineEvent[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const events = [...first, ...older.filter((o) => !first.some((f) => f.id === o.id))];
  const cursor = nextBefore === undefined ? events[events.length - 1]?.id : nextBefore;
  const more = nextBefore !== null && first.length >= 20;

  const loadMore = async () => {
    if (!cursor) return;
    setLoading(true);
    setError(null);
    try {
      const page = await getTimeline(accountId, cursor);
      setOlder((o) => [...o, ...page.items]);
      setNextBefore(page.nextBefore);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  if (events.length === 0) return <Text c="dimmed">Nothing has happened on this account yet.</Text>;
  return (
    <Stack>
      <Timeline bulletSize={14} lineWidth={2} aria-label="Account timeline">
        {events.map((e) => (
          <Timeline.Item
            key={e.id}
            color={colorFor(e.type)}
            data-testid="timeline-event"
            data-event-type={e.type}
            title={
              <Group gap="xs">
                <Text fw={600} size="sm">
                  {eventLabel(e.type)}
                </Text>
                <Badge size="xs" variant="light" color="gray" tt="none">
                  {actorLabel(e)}
                </Badge>
                <Text size="xs" c="dimmed">
                  <time dateTime={e.createdAt}>{dateTime(e.createdAt)}</time>
                </Text>
              </Group>
            }
          >
            <EventBody event={e} />
          </Timeline.Item>
        ))}
      </Timeline>
      {error ? <PageError error={error} title="Could not load older events" /> : null}
      {more ? (
        <Group>
          <Button variant="default" size="xs" onClick={() => void loadMore()} loading={loading}>
            Show older events
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
