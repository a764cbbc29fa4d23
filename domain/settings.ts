/**
 * Installation settings: the rows of the `settings` table, their keys and the shape of each value.
 * Shared by the seed, the activities that read them, the API that writes them and the admin page.
 */
import { z } from 'zod';
import { BusinessHours, IsoDate } from './facts';

/** No line breaks or other control characters: the text may end up in a mail header. */
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;
export const HeaderText = (max: number) =>
  z.string().trim().min(1).max(max).refine((v) => !CONTROL.test(v), 'no line breaks or control characters');

/**
 * The From header's display name. Address syntax in it (`X <evil@evil.example>, Y`) would add a second
 * sender or a different envelope address, so the characters that make up addresses are refused.
 */
export const DisplayName = HeaderText(120).refine((v) => !/[<>@,;:"\\()[\]]/.test(v), 'a plain name: no e-mail address, <, >, @, comma, semicolon, colon, quotes or brackets');

export const SenderIdentity = z.object({
  name: DisplayName,
  company: HeaderText(120),
  email: z.string().trim().pipe(z.email()),
  /** Where checks are mailed; check payers are told this address. */
  remittanceAddress: z.array(HeaderText(120)).min(1).max(6),
});
export type SenderIdentity = z.infer<typeof SenderIdentity>;

const hostOf = (v: string) => {
  try {
    return new URL(v).host;
  } catch {
    return null;
  }
};

const isHttpsUrl = (v: string) => {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' && u.hostname.length > 0 && !u.username && !u.password;
  } catch {
    return false;
  }
};

/**
 * The link must carry the account so the payment lands on the right client, and must be an https
 * address once filled in: clients click it from an e-mail, so `javascript:` or plain http is refused.
 */
export const PayLinkTemplate = z
  .string()
  .trim()
  .max(500)
  .refine((v) => !CONTROL.test(v) && !/\s/.test(v), 'no spaces or line breaks')
  .refine((v) => v.includes('{accountId}') || v.includes('{invoiceNumber}'), 'include {accountId} or {invoiceNumber}')
  .refine((v) => isHttpsUrl(payLinkFor(v, { accountId: 'x', invoiceNumber: 'x' })), 'a full https:// address')
  // The account may choose the path or query, never the host the client is sent to.
  .refine((v) => hostOf(payLinkFor(v, { accountId: 'a1', invoiceNumber: 'n1' })) === hostOf(payLinkFor(v, { accountId: 'b2', invoiceNumber: 'm2' })), 'the placeholder goes in the path or query, not the host');

export const Holidays = z.array(z.object({ date: IsoDate, name: z.string().trim().min(1).max(80) })).max(100);
export type Holidays = z.infer<typeof Holidays>;

export const CollectionsFloorCents = z.number().int().min(50_000, 'at least $500').max(100_000, 'at most $1,000');

/**
 * Whether the client agreement has late fees. A message names a late fee only when this says so, in
 * the agreement's own words: nothing is assumed about an agreement nobody described.
 */
export const LateFees = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('clause'), text: z.string().trim().min(10).max(400) }),
]);
export type LateFees = z.infer<typeof LateFees>;

export const Settings = z.object({
  sender_identity: SenderIdentity,
  pay_link_template: PayLinkTemplate,
  business_hours: BusinessHours,
  holidays: Holidays,
  collections_floor_cents: CollectionsFloorCents,
  late_fees: LateFees,
  /** Observe the client's country's public holidays on top of `holidays`. */
  observe_public_holidays: z.boolean(),
});
export type Settings = z.infer<typeof Settings>;
export type SettingKey = keyof Settings;
export const settingKeys = Object.keys(Settings.shape) as SettingKey[];

export const defaultSettings: Settings = {
  sender_identity: {
    name: 'Accounts Receivable',
    company: 'Your MSP',
    email: 'billing@example-msp.com',
    remittanceAddress: ['Your MSP', 'Attn: Accounts Receivable'],
  },
  pay_link_template: 'https://pay.example-msp.com/i/{accountId}',
  business_hours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] },
  holidays: [],
  collections_floor_cents: 75_000,
  late_fees: { kind: 'none' },
  observe_public_holidays: true,
};

/** Reads stored rows into settings; a missing or unreadable row falls back to its default. */
export function settingsFromRows(rows: readonly { key: string; value: unknown }[]): Settings {
  const byKey = new Map(rows.map((r) => [r.key, r.value]));
  const out = { ...defaultSettings } as Record<SettingKey, unknown>;
  for (const key of settingKeys) {
    const parsed = Settings.shape[key].safeParse(byKey.get(key));
    if (parsed.success) out[key] = parsed.data;
  }
  return out as Settings;
}

export function payLinkFor(template: string, ids: { accountId: string; invoiceNumber?: string }): string {
  return template
    .replace('{accountId}', encodeURIComponent(ids.accountId))
    .replace('{invoiceNumber}', encodeURIComponent(ids.invoiceNumber ?? ''));
}
