/** Appends to the paper trail. The only way code writes events; the table refuses anything else. */
import { events, type NewEvent } from './schema';
import type { Db } from './client';

export type EventActor = { type: NewEvent['actorType']; id?: string | null; name?: string | null };
export const systemActor: EventActor = { type: 'system', name: 'Tactful' };

type Executor = Pick<Db, 'insert'>;

export async function appendEvent(
  db: Executor,
  e: { accountId?: string | null; type: string; actor: EventActor; data?: Record<string, unknown> },
): Promise<void> {
  await db.insert(events).values({
    accountId: e.accountId ?? null,
    type: e.type,
    actorType: e.actor.type,
    actorId: e.actor.id ?? null,
    actorName: e.actor.name ?? null,
    data: e.data ?? {},
  });
}
