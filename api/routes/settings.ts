/**
 * Installation settings (sender identity, pay link, business hours, holidays, collections floor).
 * Managers read them; admins change them. Each value is checked with its own schema from
 * domain/settings.ts, and every change leaves its before and after on the paper trail.
 */
import { eq } from 'drizzle-orm';
import { appendEvent } from '../../db/events';
import * as t from '../../db/schema';
import { SettingKeyParams, SettingWriteRequest, SettingWriteResponse } from '../../domain/api/settings';
import { defaultSettings, Settings, settingsFromRows } from '../../domain/settings';
import { problems } from '../problems';
import { route } from '../routing';
import { iso } from './support';

export const settingRoutes = [
  route({
    method: 'get',
    path: '/api/settings',
    summary: 'Installation settings; a key never saved shows its default',
    tag: 'settings',
    access: { kind: 'permission', permission: 'settings:read' },
    response: Settings,
    async handler({ deps }) {
      return settingsFromRows(await deps.db.db.select().from(t.settings));
    },
  }),
  route({
    method: 'put',
    path: '/api/settings/:key',
    summary: 'Change one setting; the value is checked with that key’s schema',
    tag: 'settings',
    access: { kind: 'permission', permission: 'settings:write' },
    params: SettingKeyParams,
    body: SettingWriteRequest,
    response: SettingWriteResponse,
    async handler({ deps, params, body, actor, principal, now }) {
      const parsed = Settings.shape[params.key].safeParse(body.value);
      if (!parsed.success)
        throw problems.validation(
          parsed.error.issues.slice(0, 5).map((i) => `${['value', ...i.path.map(String)].join('.')}: ${i.message}`).join('; '),
          parsed.error.issues.slice(0, 50).map((i) => ({ path: ['body', 'value', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message })),
        );
      const value = parsed.data as unknown;
      return deps.db.db.transaction(async (tx) => {
        const [row] = await tx.select().from(t.settings).where(eq(t.settings.key, params.key)).for('update');
        // A key never saved was in force with its default; that is what it changes from.
        const before = row ? (Settings.shape[params.key].safeParse(row.value).data ?? row.value) : defaultSettings[params.key];
        const changed = JSON.stringify(before) !== JSON.stringify(value);
        if (!changed) return { key: params.key, value, changed, updatedAt: iso(row?.updatedAt ?? now) };
        const updatedBy = principal.kind === 'user' ? principal.id : null;
        await tx
          .insert(t.settings)
          .values({ key: params.key, value, updatedAt: now, updatedBy })
          .onConflictDoUpdate({ target: t.settings.key, set: { value, updatedAt: now, updatedBy } });
        await appendEvent(tx, { type: 'settings.changed', actor, data: { key: params.key, before, after: value } });
        return { key: params.key, value, changed, updatedAt: iso(now) };
      });
    },
  }),
];
