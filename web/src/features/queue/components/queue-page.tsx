/**
 * The copilot queue: the list on the left, the selected draft on the right, the keyboard in charge
 * (j/k move, a approve, e edit, r reject). Outcomes — including "already decided" and "superseded"
 * answers — are announced in a live region so screen-reader users hear them too.
 */
import { Alert, Button, CloseButton, Grid, Group, Kbd, SegmentedControl, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useHotkeys } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DecisionRequest, QueueItem } from '../../../../../domain/api';
import { Pager } from '../../../components/pager';
import { EmptyState, PageError, PageLoading } from '../../../components/page-state';
import { ApiError, errorMessage } from '../../../lib/api-client';
import { useUser } from '../../../lib/auth';
import { can } from '../../../lib/authorization';
import { dateTime } from '../../../lib/format';
import { statusLabel, stepLabel } from '../../../lib/labels';
import { useBulkApprove } from '../api/bulk-approve';
import { useDecideDraft } from '../api/decide-draft';
import { useQueue, type QueueFilters } from '../api/get-queue';
import { DraftPanel } from './draft-panel';
import { isRoutine, QueueTable } from './queue-table';
import { RejectModal } from './reject-modal';
import { useDepartures } from './use-departures';

type Outcome = { tone: 'ok' | 'conflict' | 'error'; text: string };

function describeFailure(error: unknown, item: QueueItem | undefined): Outcome {
  const who = item ? `${item.accountName} — ${stepLabel(item.stepId)}` : 'This draft';
  if (error instanceof ApiError && error.is('alreadyDecided'))
    return { tone: 'conflict', text: `${who}: already decided. ${error.problem.detail ?? 'Someone else decided it first.'} It has left your queue.` };
  if (error instanceof ApiError && error.is('superseded'))
    return { tone: 'conflict', text: `${who}: superseded. ${error.problem.detail ?? 'The account changed since it was drafted; nothing was sent.'}` };
  return { tone: 'error', text: `${who}: ${errorMessage(error)}` };
}

export function QueuePage() {
  const me = useUser();
  const canDecide = can(me, 'queue:decide');
  const [sort, setSort] = useState<QueueFilters['sort']>('age');
  const [kind, setKind] = useState<'all' | 'sensitive' | 'routine'>('all');
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search, 300);
  const [page, setPage] = useState(1);
  const filters: QueueFilters = {
    sort,
    page,
    pageSize: 50,
    search: debouncedSearch || undefined,
    sensitive: kind === 'all' ? undefined : kind === 'sensitive' ? 'true' : 'false',
  };
  const listKey = JSON.stringify(filters);
  const queue = useQueue(filters);
  const items = useMemo(() => queue.data?.items ?? [], [queue.data]);

  const [selectedId, setSelectedId] = useState<string | null>(null);
  const selectedIndex = useRef(0);
  const [editing, setEditing] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const decidedHere = useRef(new Set<string>());
  const { departures, departureOf, dismiss, clear } = useDepartures(items, decidedHere);
  const qc = useQueryClient();
  const shownKey = useRef(listKey);

  // After this clerk's own decision the selection moves to the same position, so "a a a" works down
  // the list. A draft that left for any other reason stays open (read-only, with why) until the clerk
  // moves on: the editor belongs to one draft and never slides onto another client's.
  useEffect(() => {
    const viewChanged = shownKey.current !== listKey;
    shownKey.current = listKey;
    const at = items.findIndex((i) => i.id === selectedId);
    if (at >= 0) {
      selectedIndex.current = at;
      return;
    }
    if (selectedId && !decidedHere.current.has(selectedId) && (editing || !viewChanged)) {
      void qc.invalidateQueries({ queryKey: ['queue', 'item', selectedId] });
      return;
    }
    if (items.length === 0) {
      setSelectedId(null);
      setEditing(false);
      return;
    }
    setSelectedId(items[Math.min(selectedIndex.current, items.length - 1)].id);
    setEditing(false);
  }, [items, selectedId, listKey, editing, qc]);

  useEffect(() => {
    setChecked((c) => new Set([...c].filter((id) => items.some((i) => i.id === id))));
  }, [items]);

  const select = (id: string) => {
    setSelectedId(id);
    setEditing(false);
  };
  const move = (delta: number) => {
    if (items.length === 0 || rejecting) return;
    const found = items.findIndex((i) => i.id === selectedId);
    // From a draft that has left the list, j/k continue from where it stood.
    const at = found >= 0 ? found : Math.min(selectedIndex.current, items.length) - (delta > 0 ? 1 : 0);
    const next = Math.min(items.length - 1, Math.max(0, at + delta));
    selectedIndex.current = next;
    select(items[next].id);
  };
  useHotkeys([
    ['j', () => move(1)],
    ['k', () => move(-1)],
  ]);

  const decide = useDecideDraft();
  const bulk = useBulkApprove();
  const selected = items.find((i) => i.id === selectedId);
  const selectedDeparture = departureOf(selectedId);

  const onDecide = (decision: DecisionRequest) => {
    if (!selectedId) return;
    const id = selectedId;
    const item = selected;
    decidedHere.current.add(id);
    decide.mutate(
      { id, decision },
      {
        onSuccess: (res) => {
          setEditing(false);
          setRejecting(false);
          const what = decision.decision === 'reject' ? 'Rejected' : decision.decision === 'approve_with_edits' ? 'Approved with your edits' : 'Approved';
          setOutcome({ tone: 'ok', text: `${what}: ${item?.accountName ?? ''} — ${stepLabel(item?.stepId)}. ${statusLabel(res.status)}.` });
        },
        onError: (error) => {
          setRejecting(false);
          setOutcome(describeFailure(error, item));
          // Someone else's decision won, or it may be retried: either way the draft stays open here,
          // with the clerk's text, until they move on.
          decidedHere.current.delete(id);
        },
      },
    );
  };

  const routineChecked = items.filter((i) => checked.has(i.id) && isRoutine(i));
  const approveChecked = () => {
    const ids = routineChecked.map((i) => i.id);
    ids.forEach((id) => decidedHere.current.add(id));
    bulk.mutate(ids, {
      onSuccess: (res) => {
        const ok = res.results.filter((r) => r.ok).length;
        const failed = res.results.filter((r) => !r.ok);
        const notes = failed.map((f) => {
          const name = items.find((i) => i.id === f.messageId)?.accountName ?? f.messageId;
          const why = f.problem?.endsWith('already-decided') ? 'already decided' : f.problem?.endsWith('superseded') ? 'superseded' : (f.detail ?? f.problem ?? 'failed');
          return `${name}: ${why}`;
        });
        setOutcome({ tone: failed.length ? 'conflict' : 'ok', text: `Approved ${ok} routine draft${ok === 1 ? '' : 's'}.${notes.length ? ` Not approved — ${notes.join('; ')}.` : ''}` });
        setChecked(new Set());
      },
      onError: (error) => {
        ids.forEach((id) => decidedHere.current.delete(id));
        setOutcome({ tone: 'error', text: `Bulk approval failed: ${errorMessage(error)}` });
      },
    });
  };

  // Shown beside the draft the clerk is working on, where their eyes are, and read out by screen readers.
  const outcomeNotice = (
    <div aria-live="polite" role="status">
      {outcome ? (
        <Alert
          color={outcome.tone === 'ok' ? 'green' : outcome.tone === 'conflict' ? 'yellow' : 'red'}
          withCloseButton
          onClose={() => setOutcome(null)}
          data-testid="queue-outcome"
          py={6}
          mb="xs"
        >
          <Text size="sm">{outcome.text}</Text>
        </Alert>
      ) : null}
    </div>
  );

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={2}>Copilot queue</Title>
          <Text size="sm" c="dimmed">
            {queue.data ? `${queue.data.total} draft${queue.data.total === 1 ? '' : 's'} waiting` : ' '} · <Kbd>j</Kbd>/<Kbd>k</Kbd> move, <Kbd>a</Kbd> approve,{' '}
            <Kbd>e</Kbd> edit, <Kbd>r</Kbd> reject
          </Text>
        </div>
        <Group gap="xs" align="flex-end" wrap="wrap">
          <TextInput label="Search" placeholder="Account or subject" value={search} onChange={(e) => { setSearch(e.currentTarget.value); setPage(1); }} w={200} />
          <Select
            label="Sort by"
            w={150}
            allowDeselect={false}
            value={sort}
            onChange={(v) => { setSort((v as QueueFilters['sort']) ?? 'age'); setPage(1); }}
            data={[
              { value: 'age', label: 'Waiting longest' },
              { value: 'amount', label: 'Amount' },
              { value: 'risk', label: 'Risk' },
            ]}
          />
          <SegmentedControl
            aria-label="Which drafts"
            value={kind}
            onChange={(v) => { setKind(v as typeof kind); setPage(1); }}
            data={[
              { value: 'all', label: 'All' },
              { value: 'sensitive', label: 'Sensitive' },
              { value: 'routine', label: 'Routine' },
            ]}
          />
        </Group>
      </Group>

      {queue.isPending ? (
        <PageLoading label="Loading the queue" />
      ) : queue.isError ? (
        <PageError error={queue.error} onRetry={() => void queue.refetch()} />
      ) : items.length === 0 && !selectedId ? (
        <>
          {outcomeNotice}
          <EmptyState title="Nothing waiting for you">
            {kind === 'all' && !debouncedSearch ? 'Every draft has been decided. New drafts appear here as accounts reach their next step.' : 'No drafts match these filters.'}
          </EmptyState>
        </>
      ) : (
        <Grid gap="md">
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Stack gap="xs">
              {departures.length > 0 ? (
                <Alert color="gray" title="Left the queue" data-testid="queue-departures">
                  <Stack gap={2}>
                    {departures.map((d) => (
                      <Group key={d.id} justify="space-between" wrap="nowrap">
                        <Text size="sm">
                          <b>{d.accountName}</b> — {stepLabel(d.stepId)}: {d.actorName} {d.verb} {dateTime(d.at)}
                          {d.reason ? ` (${d.reason})` : ''}
                        </Text>
                        <CloseButton size="sm" aria-label={`Dismiss ${d.accountName}`} onClick={() => dismiss(d.id)} />
                      </Group>
                    ))}
                    {departures.length > 1 ? (
                      <Group>
                        <Button size="compact-xs" variant="subtle" onClick={clear}>
                          Dismiss all
                        </Button>
                      </Group>
                    ) : null}
                  </Stack>
                </Alert>
              ) : null}
              {canDecide ? (
                <Group gap="xs">
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => setChecked(new Set(items.filter(isRoutine).map((i) => i.id)))}
                    disabled={!items.some(isRoutine)}
                  >
                    Select all routine
                  </Button>
                  <Button size="xs" color="green" onClick={approveChecked} disabled={routineChecked.length === 0} loading={bulk.isPending}>
                    Approve {routineChecked.length || ''} routine
                  </Button>
                </Group>
              ) : null}
              <QueueTable items={items} selectedId={selectedId} onSelect={select} checked={checked} onCheck={(id, on) => setChecked((c) => { const n = new Set(c); if (on) n.add(id); else n.delete(id); return n; })} canDecide={canDecide} />
              {queue.data && queue.data.total > queue.data.pageSize ? (
                <Pager total={Math.ceil(queue.data.total / queue.data.pageSize)} value={page} onChange={setPage} size="sm" aria-label="Queue pages" />
              ) : null}
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 8 }}>
            {outcomeNotice}
            {selectedId ? (
              <DraftPanel
                id={selectedId}
                editing={editing}
                onEditingChange={setEditing}
                onDecide={onDecide}
                onReject={() => setRejecting(true)}
                deciding={decide.isPending}
                canDecide={canDecide}
                hotkeysEnabled={!rejecting}
                departure={selectedDeparture}
              />
            ) : null}
          </Grid.Col>
        </Grid>
      )}
      <RejectModal
        opened={rejecting}
        subject={selected?.subject ?? ''}
        onClose={() => setRejecting(false)}
        onReject={(reason) => onDecide({ decision: 'reject', reason })}
        loading={decide.isPending}
      />
    </Stack>
  );
}
