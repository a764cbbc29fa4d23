/**
 * Drafts that leave the queue without this clerk deciding them — withdrawn because a payment arrived,
 * superseded, or decided by a colleague — are looked up once so the clerk sees why they vanished.
 */
import { useEffect, useRef, useState } from 'react';
import type { QueueItem } from '../../../../../domain/api';
import { humanize } from '../../../lib/format';
import { getDraft } from '../api/get-draft';

export interface Departure {
  id: string;
  accountName: string;
  stepId: string;
  status: string;
  reason: string;
}

function explain(status: string, reason: string | null): string {
  if (reason) return reason;
  switch (status) {
    case 'superseded':
      return 'withdrawn: the account changed (for example a payment arrived)';
    case 'suppressed':
      return 'withdrawn before sending';
    case 'approved':
    case 'sent':
      return 'approved by someone else';
    case 'rejected':
      return 'rejected by someone else';
    default:
      return humanize(status);
  }
}

export function useDepartures(items: QueueItem[] | undefined, listKey: string, decidedHere: React.RefObject<Set<string>>) {
  const previous = useRef<{ key: string; items: Map<string, QueueItem> } | null>(null);
  const [departures, setDepartures] = useState<Departure[]>([]);

  useEffect(() => {
    if (!items) return;
    const current = new Map(items.map((i) => [i.id, i]));
    const before = previous.current;
    previous.current = { key: listKey, items: current };
    // A different filter or page shows different drafts; only the same view can tell what left.
    if (!before || before.key !== listKey) return;
    const gone = [...before.items.values()].filter((i) => !current.has(i.id) && !decidedHere.current.has(i.id));
    if (gone.length === 0) return;
    let cancelled = false;
    void Promise.all(
      gone.slice(0, 10).map(async (item): Promise<Departure> => {
        try {
          const detail = await getDraft(item.id);
          return { id: item.id, accountName: item.accountName, stepId: item.stepId, status: detail.message.status, reason: explain(detail.message.status, detail.message.decisionReason) };
        } catch {
          return { id: item.id, accountName: item.accountName, stepId: item.stepId, status: 'gone', reason: 'no longer in the queue' };
        }
      }),
    ).then((found) => {
      if (!cancelled) setDepartures((d) => [...found, ...d.filter((x) => !found.some((f) => f.id === x.id))].slice(0, 8));
    });
    return () => {
      cancelled = true;
    };
  }, [items, listKey, decidedHere]);

  return { departures, dismiss: (id: string) => setDepartures((d) => d.filter((x) => x.id !== id)), clear: () => setDepartures([]) };
}
