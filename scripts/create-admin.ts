/**
 * The first admin of an installation without the demo:
 *
 *   DATABASE_URL=… ADMIN_EMAIL=you@example.com ADMIN_NAME="Your Name" ADMIN_PASSWORD=… tsx scripts/create-admin.ts
 *
 * Creates the admin only when no user has that e-mail, so it is safe to leave in a start-up step; the
 * password must pass the same check as any other (api/auth/passwords.ts). With REQUIRE_MFA on (the
 * default), the admin sets up an authenticator app at first sign-in.
 */
import * as argon2 from '@node-rs/argon2';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { passwordProblem } from '../api/auth/passwords';
import { openDatabase } from '../db/client';
import { appendEvent, systemActor } from '../db/events';
import * as t from '../db/schema';

const Env = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres://'),
  ADMIN_EMAIL: z.string().trim().toLowerCase().pipe(z.email('ADMIN_EMAIL must be an e-mail address')),
  ADMIN_NAME: z.string().trim().min(1).max(120).default('Administrator'),
  ADMIN_PASSWORD: z.string({ error: 'ADMIN_PASSWORD is required' }),
});

async function main(): Promise<void> {
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  const env = parsed.data;
  const problem = passwordProblem(env.ADMIN_PASSWORD, [env.ADMIN_EMAIL, env.ADMIN_NAME]);
  if (problem) throw new Error(`ADMIN_PASSWORD: ${problem}`);
  const database = openDatabase(env.DATABASE_URL, { max: 1 });
  try {
    const [exists] = await database.db.select({ id: t.users.id }).from(t.users).where(eq(sql`lower(${t.users.email})`, env.ADMIN_EMAIL));
    if (exists) {
      console.log(`${env.ADMIN_EMAIL} exists already: nothing changed`);
      return;
    }
    const [u] = await database.db
      .insert(t.users)
      .values({ email: env.ADMIN_EMAIL, name: env.ADMIN_NAME, role: 'admin', passwordHash: await argon2.hash(env.ADMIN_PASSWORD) })
      .returning();
    await appendEvent(database.db, { type: 'user.created', actor: systemActor, data: { userId: u.id, email: u.email, role: u.role, by: 'scripts/create-admin.ts' } });
    console.log(`created admin ${u.email}`);
  } finally {
    await database.close();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
