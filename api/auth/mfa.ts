/**
 * The second factor: TOTP (RFC 6238 with HMAC-SHA1, 30-second steps, six digits, one step of clock
 * drift either way: what every authenticator app does) with ten single-use recovery codes. A code is
 * accepted once: the step it belongs to is stored, and a code of that step or an earlier one is
 * refused, so a code seen over a shoulder is spent. Written on node:crypto (otplib 13 is ESM-only,
 * which the test runner cannot load); checked against RFC 6238's test vectors.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import type { Role } from '../../domain/api/auth';
import type { ApiConfig } from '../config';
import { sha256 } from './principal';

const STEP_S = 30;
const DIGITS = 6;
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const i = B32.indexOf(ch);
    if (i < 0) throw new Error('not base32');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226's HOTP of one counter value (the time step, for TOTP). */
export function hotp(key: Buffer, counter: number, digits = DIGITS): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

export const totpAt = (secret: string, at: Date) => hotp(base32Decode(secret), Math.floor(at.getTime() / 1000 / STEP_S));

function generateSecret(): string {
  return base32Encode(randomBytes(20));
}

/** Admins and managers approve what goes to clients and change who may do what. */
export const mfaRequiredFor = (config: ApiConfig, role: Role) => config.requireMfa && (role === 'admin' || role === 'manager');

export function newTotpSecret(email: string): { secret: string; otpauthUrl: string } {
  const secret = generateSecret();
  const label = encodeURIComponent(`Tactful:${email}`);
  return { secret, otpauthUrl: `otpauth://totp/${label}?secret=${secret}&issuer=Tactful&algorithm=SHA1&digits=${DIGITS}&period=${STEP_S}` };
}

/** The time step a code belongs to, or null when it is not a current code for this secret. */
export function totpStep(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const key = base32Decode(secret);
  const current = Math.floor(now.getTime() / 1000 / STEP_S);
  for (const step of [current, current - 1, current + 1])
    if (timingSafeEqual(Buffer.from(hotp(key, step)), Buffer.from(code))) return step;
  return null;
}

export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: 10 }, () => {
    const hex = randomBytes(5).toString('hex');
    return `${hex.slice(0, 5)}-${hex.slice(5)}`;
  });
  return { codes, hashes: codes.map((c) => sha256(c)) };
}

const normaliseRecovery = (code: string) => {
  const c = code.trim().toLowerCase().replace(/\s+/g, '');
  return /^[0-9a-f]{5}-?[0-9a-f]{5}$/.test(c) ? `${c.slice(0, 5)}-${c.slice(-5)}` : null;
};

/**
 * Spends a TOTP or recovery code of an enrolled user. Each acceptance is one conditional UPDATE, so
 * two requests racing with the same code cannot both win.
 */
export async function spendSecondFactor(db: Db, user: t.User, code: string, now: Date): Promise<'totp' | 'recovery' | null> {
  if (!user.totpSecret) return null;
  const step = totpStep(user.totpSecret, code.trim(), now);
  if (step !== null) {
    const [ok] = await db
      .update(t.users)
      .set({ totpLastStep: step })
      .where(and(eq(t.users.id, user.id), or(isNull(t.users.totpLastStep), lt(t.users.totpLastStep, step))))
      .returning({ id: t.users.id });
    return ok ? 'totp' : null;
  }
  const recovery = normaliseRecovery(code);
  if (!recovery) return null;
  const hash = sha256(recovery);
  const [ok] = await db
    .update(t.users)
    .set({ recoveryCodeHashes: sql`array_remove(${t.users.recoveryCodeHashes}, ${hash})` })
    .where(and(eq(t.users.id, user.id), sql`${hash} = any(${t.users.recoveryCodeHashes})`))
    .returning({ id: t.users.id });
  return ok ? 'recovery' : null;
}
