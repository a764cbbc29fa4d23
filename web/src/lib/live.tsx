/**
 * The server's event stream, opened once per signed-in tab and shared by every page. Each event marks
 * the cached answers it makes stale, so a page shows the facts within a second of them changing
 * instead of on a 30-second timer; pages that need the event itself (the queue's departures, the
 * command center's feed) subscribe. While the stream is down, lists fall back to polling.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { apiPaths, StreamEvent } from '../../../domain/api';
import { apiUrl } from './api-client';
import { useUser } from './auth';
import { can } from './authorization';
import { config } from './config';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'unavailable';
type Listener = (event: StreamEvent) => void;

interface Live {
  status: StreamStatus;
  subscribe(listener: Listener): () => void;
}

const LiveContext = createContext<Live>({ status: 'unavailable', subscribe: () => () => {} });

let streamIsLive = false;
/** For `refetchInterval`: no timer while the stream carries the changes, the old timer when it cannot. */
export const fallbackRefetch = () => (streamIsLive ? false : config.refreshMs);

/** Which cached answers an event makes stale. Keys follow the features' query keys. */
function staleKeys(e: StreamEvent): unknown[][] {
  const keys: unknown[][] = [['metrics', 'aging'], ['metrics', 'stages'], ['metrics', 'approval-wait'], ['metrics', 'replies'], ['metrics', 'needs'], ['accounts', 'list']];
  if (e.accountId) keys.push(['accounts', 'detail', e.accountId], ['accounts', 'state', e.accountId], ['accounts', 'feed', e.accountId]);
  if (/^(draft|message|send)\./.test(e.type)) keys.push(['queue', 'list']);
  if (e.messageId) keys.push(['queue', 'item', e.messageId]);
  if (e.type.startsWith('call.')) keys.push(['calls']);
  if (e.type.startsWith('recommendation.')) keys.push(['recommendations']);
  return keys;
}

function invalidateSoon(qc: QueryClient) {
  // Events arrive in bursts (a payment withdraws drafts and moves the stage); one refetch per burst.
  const pending = new Map<string, unknown[]>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  return (keys: unknown[][]) => {
    for (const k of keys) pending.set(JSON.stringify(k), k);
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const batch = [...pending.values()];
      pending.clear();
      for (const queryKey of batch) void qc.invalidateQueries({ queryKey });
    }, 150);
  };
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const me = useUser();
  const allowed = can(me, 'stream:read');
  const qc = useQueryClient();
  const listeners = useRef(new Set<Listener>());
  const [status, setStatus] = useState<StreamStatus>('connecting');

  useEffect(() => {
    if (!allowed || typeof EventSource === 'undefined') {
      setStatus('unavailable');
      return;
    }
    const invalidate = invalidateSoon(qc);
    const source = new EventSource(apiUrl(apiPaths.stream), { withCredentials: true });
    let failures = 0;
    const update = (s: StreamStatus) => {
      streamIsLive = s === 'live';
      setStatus(s);
    };
    source.onopen = () => {
      failures = 0;
      update('live');
      // Whatever changed while the stream was away is fetched once now.
      void qc.invalidateQueries();
    };
    source.onerror = () => {
      failures++;
      // A closed source will not retry (e.g. 401/404); an open one is retrying on its own.
      update(source.readyState === EventSource.CLOSED || failures > 5 ? 'unavailable' : 'reconnecting');
    };
    source.addEventListener('activity', (e) => {
      let parsed;
      try {
        parsed = StreamEvent.safeParse(JSON.parse((e as MessageEvent<string>).data));
      } catch {
        return;
      }
      if (!parsed.success) return;
      invalidate(staleKeys(parsed.data));
      for (const l of listeners.current) l(parsed.data);
    });
    return () => {
      streamIsLive = false;
      source.close();
    };
  }, [allowed, qc]);

  const value = useRef<Live>({ status, subscribe: (l) => (listeners.current.add(l), () => listeners.current.delete(l)) });
  value.current = { ...value.current, status };
  return <LiveContext.Provider value={value.current}>{children}</LiveContext.Provider>;
}

/** Calls `listener` for every event from now on; the latest listener is used without resubscribing. */
export function useLiveEvents(listener: Listener): StreamStatus {
  const live = useContext(LiveContext);
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => live.subscribe((e) => latest.current(e)), [live.subscribe]);
  return live.status;
}

export const useLiveStatus = () => useContext(LiveContext).status;
