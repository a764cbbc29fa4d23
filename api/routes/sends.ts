/**
 * A person's answer about a message that may have been sent (db/facts/sends.ts): the client received
 * it, or did not and the step is sent again. Listed under "Needs a person now" in the command center.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import * as facts from '../../db/facts';
import * as t from '../../db/schema';
import { FactWriteResponse } from '../../domain/api/common';
import { route } from '../routing';
import { assertAccountAccess, IdParams, signalFacts, userIdOf } from './support';

const DeliveryRequest = z.strictObject({
  /** true: the client has it. false: it did not arrive; the step goes out again. */
  received: z.boolean(),
});
const DeliveryResponse = FactWriteResponse.extend({ status: z.enum(['sent', 'superseded']) });

export const sendRoutes = [
  route({
    method: 'post',
    path: '/api/messages/:id/delivery',
    summary: 'Settle a message that may have been sent: received (recorded as sent) or not received (the step is sent again); 409 when it is no longer in doubt',
    tag: 'queue',
    access: { kind: 'permission', permission: 'queue:decide' },
    params: IdParams,
    body: DeliveryRequest,
    response: DeliveryResponse,
    async handler(ctx) {
      const { deps, params, body, actor, principal, wfActor, now } = ctx;
      const [m] = await deps.db.db.select({ accountId: t.messages.accountId }).from(t.messages).where(eq(t.messages.id, params.id));
      if (m) await assertAccountAccess(ctx, m.accountId);
      const w = await facts.decideUnconfirmedSend(deps.db.db, { messageId: params.id, decision: body.received ? 'received' : 'not_received', userId: userIdOf(principal), now }, actor);
      const workflow = await signalFacts(deps, w.accountId, w.factsVersion, 'reconcile', wfActor);
      return { accountId: w.accountId, factsVersion: w.factsVersion, status: w.status, workflow };
    },
  }),
];
