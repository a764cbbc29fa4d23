/** One call with its latest call-prep sheet. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { apiPaths, CallDetail } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export const getCall = (id: string) => api(apiPaths.call(id), { schema: CallDetail });

export const callQueryOptions = (id: string) =>
  queryOptions({
    queryKey: ['calls', 'item', id],
    queryFn: () => getCall(id),
    // The sheet is prepared by the worker shortly after the task appears; look again until it is there.
    refetchInterval: (q) => (q.state.data && !q.state.data.sheet ? 3000 : false),
  });

export const useCall = (id: string) => useQuery(callQueryOptions(id));

/**
 * The sheet as domain/drafting/call-sheet.ts writes it. The contract types it as unknown, so the page
 * checks the parts it renders and falls back to a plain listing when the shape is different.
 */
const Contact = z.object({ name: z.string(), email: z.string(), phone: z.string().nullable().optional(), role: z.string().nullable().optional() });
export const CallSheet = z.object({
  generatedAt: z.string(),
  account: z.object({ name: z.string(), segment: z.string(), clientSince: z.string(), tenure: z.string(), paymentMethod: z.string() }),
  contact: Contact.nullable(),
  otherContacts: z.array(Contact).default([]),
  when: z.object({ timeZone: z.string(), hours: z.string(), localNow: z.string(), callableNow: z.boolean(), nextWindowLocal: z.string() }),
  owed: z.object({
    rows: z.array(z.object({ number: z.string(), issueDate: z.string(), dueDate: z.string(), daysPastDue: z.number(), amount: z.string(), balance: z.string() })),
    total: z.string(),
    oldestDaysPastDue: z.number(),
  }),
  history: z.object({ messages: z.array(z.string()), promises: z.array(z.string()), disputes: z.array(z.string()) }),
  paymentHistory: z.string(),
  flags: z.array(z.string()),
  opening: z.string(),
  options: z.array(z.object({ label: z.string(), detail: z.string() })),
  doNotSay: z.array(z.string()),
});
export type CallSheet = z.infer<typeof CallSheet>;
