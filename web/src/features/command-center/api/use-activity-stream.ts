/**
 * The live activity feed over server-sent events. EventSource reconnects by itself and sends
 * Last-Event-ID, so the server can replay what was missed; the hook only keeps the newest events.
 */
import { useEffect, useState } from 'react';
import { apiPaths, StreamEvent } from '../../../../../domain/api';
import { apiUrl } from '../../../lib/api-client';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'unavailable';

export function useActivityStream(limit = 40) {
  const [events, setEvents] = useState<StreamEvent[]>([]);
  const [status, setStatus] = useState<StreamStatus>('connecting');

  useEffect(() => {
    if (typeof EventSource === 'undefined') {
      setStatus('unavailable');
      return;
    }
    const source = new EventSource(apiUrl(apiPaths.stream), { withCredentials: true });
    let failures = 0;
    source.onopen = () => {
      failures = 0;
      setStatus('live');
    };
    source.onerror = () => {
      failures++;
      // A closed source will not retry (e.g. 401/404); an open one is retrying on its own.
      setStatus(source.readyState === EventSource.CLOSED || failures > 5 ? 'unavailable' : 'reconnecting');
    };
    source.addEventListener('activity', (e) => {
      try {
        const parsed = StreamEvent.safeParse(JSON.parse((e as MessageEvent<string>).data));
        if (parsed.success) setEvents((list) => [parsed.data, ...list.filter((x) => x.id !== parsed.data.id)].slice(0, limit));
      } catch {
        // A malformed event is dropped; the next one will do.
      }
    });
    return () => source.close();
  }, [limit]);

  return { events, status };
}
