/**
 * Everything a person does to an account: mode, pause/resume, promise, dispute, note. Each write
 * refreshes the account (and lists that show it) once it lands.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import {
  apiPaths,
  FactWriteResponse,
  ModeRequest,
  NoteRequest,
  NoteResponse,
  OpenDisputeRequest,
  PauseRequest,
  PromiseRequest,
  ResolveDisputeRequest,
  ResumeRequest,
} from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

// The contract does not pin these answers down beyond "a fact write", so accept any extra fields.
const WriteAnswer = FactWriteResponse.partial().passthrough();

export const setMode = (id: string, body: ModeRequest) => api(apiPaths.accountMode(id), { method: 'POST', body: ModeRequest.parse(body), schema: WriteAnswer });
export const pauseAccount = (id: string, body: PauseRequest) => api(apiPaths.accountPause(id), { method: 'POST', body: PauseRequest.parse(body), schema: WriteAnswer });
export const resumeAccount = (id: string, body: z.infer<typeof ResumeRequest>) =>
  api(apiPaths.accountResume(id), { method: 'POST', body: ResumeRequest.parse(body), schema: WriteAnswer });
export const recordPromise = (id: string, body: PromiseRequest) => api(apiPaths.accountPromises(id), { method: 'POST', body: PromiseRequest.parse(body), schema: WriteAnswer });
export const openDispute = (id: string, body: OpenDisputeRequest) => api(apiPaths.accountDisputes(id), { method: 'POST', body: OpenDisputeRequest.parse(body), schema: WriteAnswer });
export const resolveDispute = (id: string, disputeId: string, body: ResolveDisputeRequest) =>
  api(apiPaths.accountDisputeResolve(id, disputeId), { method: 'POST', body: ResolveDisputeRequest.parse(body), schema: WriteAnswer });
export const addNote = (id: string, body: NoteRequest) => api(apiPaths.accountNotes(id), { method: 'POST', body: NoteRequest.parse(body), schema: NoteResponse });

function useAccountWrite<V>(fn: (v: V) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => qc.invalidateQueries({ queryKey: ['accounts'] }),
  });
}

export const useSetMode = (id: string) => useAccountWrite((b: ModeRequest) => setMode(id, b));
export const usePause = (id: string) => useAccountWrite((b: PauseRequest) => pauseAccount(id, b));
export const useResume = (id: string) => useAccountWrite((b: z.infer<typeof ResumeRequest>) => resumeAccount(id, b));
export const useRecordPromise = (id: string) => useAccountWrite((b: PromiseRequest) => recordPromise(id, b));
export const useOpenDispute = (id: string) => useAccountWrite((b: OpenDisputeRequest) => openDispute(id, b));
export const useResolveDispute = (id: string) =>
  useAccountWrite(({ disputeId, ...b }: ResolveDisputeRequest & { disputeId: string }) => resolveDispute(id, disputeId, b));
export const useAddNote = (id: string) => useAccountWrite((b: NoteRequest) => addNote(id, b));
