/**
 * Installation settings over the API. The keys and value shapes are domain/settings.ts's `Settings`:
 * `GET /api/settings` answers the whole object, `PUT /api/settings/:key` takes `{ value }` checked
 * with `Settings.shape[key]`.
 */
import { z } from 'zod';
import { Settings, settingKeys, type SettingKey } from '../settings';
import { Instant } from './common';

export { Settings, settingKeys, type SettingKey };
export { SenderIdentity, PayLinkTemplate, Holidays, CollectionsFloorCents } from '../settings';

export const SettingKeyParams = z.strictObject({ key: z.enum(settingKeys as [SettingKey, ...SettingKey[]]) });

/** The value is checked against the key's own schema by the server (and by the form before sending). */
export const SettingWriteRequest = z.strictObject({ value: z.unknown() });

export type SettingWrite = { [K in SettingKey]: { key: K; value: Settings[K] } }[SettingKey];

export const SettingWriteResponse = z.object({ key: z.string(), value: z.unknown(), changed: z.boolean(), updatedAt: Instant });
export type SettingWriteResponse = z.infer<typeof SettingWriteResponse>;
