/** The web app's configuration, read from import.meta.env once and validated; nothing else reads env. */
import { z } from 'zod';

const Env = z.object({
  /** Origin of the API; empty means same origin (the API serves the built app, or Vite proxies /api). */
  VITE_API_BASE: z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || /^https?:\/\/[^/]+/.test(v), 'VITE_API_BASE must be empty or an http(s) origin')
    .transform((v) => v.replace(/\/+$/, '')),
  /** How often lists refresh on their own, so a clerk's queue does not go stale. */
  VITE_REFRESH_SECONDS: z.coerce.number().int().min(5).max(3600).default(30),
});

function parseConfig() {
  const parsed = Env.safeParse(import.meta.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid web configuration:\n${lines}`);
  }
  return { apiBase: parsed.data.VITE_API_BASE, refreshMs: parsed.data.VITE_REFRESH_SECONDS * 1000 };
}

export const config = parseConfig();
export type Config = typeof config;
