/**
 * The live activity feed: the newest events from the app's one event stream (lib/live), which
 * reconnects by itself and replays what was missed.
 */
import { useState } from 'react';
import type { StreamEvent } from '../../../../../domain/api';
import { useLiveEvents } from '../../../lib/live';

export type { StreamStatus } from '../../../lib/live';

export function useActivityStream(limit = 40) {
  const [events, setEvents] = useState<StreamEvent[]>([]);
  const status = useLiveEvents((e) => setEvents((list) => [e, ...list.filter((x) => x.id !== e.id)].slice(0, limit)));
  return { events, status };
}
