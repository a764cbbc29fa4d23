/**
 * Drafts that leave the queue without this clerk deciding them — withdrawn because a payment arrived,
 * stopped before sending, or decided by a colleague. Departures come from the server's events, never
 * from comparing two lists: a filter, a search or a page change hides drafts without them leaving.
 */
import { useRef, useState } from 'react';
import type { QueueItem, StreamEvent } from '../../../../../domain/api';
import { draftEventVerb, isDraftDeparture } from '../../../lib/labels';
import { useLiveEvents } from '../../../lib/live';

export interface Departure {
  id: string;
  accountName: string;
  stepId: string;
  /** Who decided, from the event; "Tactful" for the engine's own withdrawals. */
  actorName: string;
  verb: string;
  at: string;
  reason: string | null;
}

export function useDepartures(known: QueueItem[], decidedHere: React.RefObject<Set<string>>) {
  // Every departure of a draft this page has shown, including ones that raced this clerk's own
  // decision: if theirs lost, the panel still says who decided first.
  const [all, setAll] = useState<Departure[]>([]);
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  // Every draft this page has shown, so one that scrolled off a page of results is still recognised.
  const seen = useRef(new Map<string, QueueItem>());
  for (const i of known) seen.current.set(i.id, i);

  useLiveEvents((e: StreamEvent) => {
    if (!e.messageId || !isDraftDeparture(e.type)) return;
    const item = seen.current.get(e.messageId);
    if (!item) return;
    const d: Departure = {
      id: item.id,
      accountName: item.accountName,
      stepId: item.stepId,
      actorName: e.actorName ?? 'Tactful',
      verb: draftEventVerb(e.type),
      at: e.createdAt,
      reason: e.reason ?? null,
    };
    setAll((list) => [d, ...list.filter((x) => x.id !== d.id)].slice(0, 50));
  });

  const departures = all.filter((d) => !decidedHere.current.has(d.id) && !dismissed.has(d.id)).slice(0, 8);
  return {
    departures,
    /** Who took a draft out of the queue, when the server said so. */
    departureOf: (id: string | null) => all.find((d) => d.id === id) ?? null,
    dismiss: (id: string) => setDismissed((s) => new Set(s).add(id)),
    clear: () => setDismissed((s) => new Set([...s, ...departures.map((d) => d.id)])),
  };
}
