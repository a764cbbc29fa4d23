/**
 * Installation settings. NOT YET IN THE CONTRACT (domain/api): the keys and value shapes follow the
 * `settings` rows db/seed.ts writes; the paths are what this page needs (GET /api/settings,
 * PUT /api/settings/:key with { value }).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { BusinessHours, IsoDate } from '../../../../../domain/facts';
import { api } from '../../../lib/api-client';

export const settingsPaths = { all: '/api/settings', one: (key: string) => `/api/settings/${key}` };

export const SenderIdentity = z.object({
  name: z.string().trim().min(1).max(120),
  company: z.string().trim().min(1).max(120),
  email: z.string().trim().pipe(z.email()),
  remittanceAddress: z.array(z.string().trim().min(1).max(120)).min(1).max(6),
});
/** The link must carry the account so the payment lands on the right client. */
export const PayLinkTemplate = z
  .string()
  .trim()
  .url('a full https:// address')
  .refine((v) => v.includes('{accountId}') || v.includes('{invoiceNumber}'), 'include {accountId} or {invoiceNumber}');
export const Holidays = z.array(z.object({ date: IsoDate, name: z.string().trim().min(1).max(80) })).max(100);
export const CollectionsFloorCents = z.number().int().min(50_000, 'at least $500').max(100_000, 'at most $1,000');

export const Settings = z.object({
  sender_identity: SenderIdentity,
  pay_link_template: PayLinkTemplate,
  business_hours: BusinessHours,
  holidays: Holidays,
  collections_floor_cents: CollectionsFloorCents,
});
export type Settings = z.infer<typeof Settings>;
export type SettingKey = keyof Settings;
export type SettingWrite = { [K in SettingKey]: { key: K; value: Settings[K] } }[SettingKey];

export const useSettings = () => useQuery({ queryKey: ['admin', 'settings'], queryFn: () => api(settingsPaths.all, { schema: Settings }), retry: false });

export function useSaveSetting() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ key, value }: SettingWrite) => api(settingsPaths.one(key), { method: 'PUT', body: { value: Settings.shape[key].parse(value) } }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['admin', 'settings'] }),
  });
}
