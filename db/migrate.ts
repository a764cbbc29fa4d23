/** Applies the committed drizzle migrations; safe to run at every start (already-applied ones are skipped). */
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

export const migrationsFolder = path.join(__dirname, 'migrations');

export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set: `npm run db:migrate` needs the database to migrate.');
    process.exit(1);
  }
  migrateDatabase(url).then(
    () => console.log('migrations applied'),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
