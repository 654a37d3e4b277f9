import 'reflect-metadata';
import { z } from 'zod';
import { loadConfig } from '@compliance-graph/config';
import { createDataSource } from '@compliance-graph/db';
import { normaliseEmail } from '../validation';

const USAGE = 'usage: npm run operator -- grant <email> | revoke <email> | list';

/**
 * Flags platform operators: users who may open support sessions. Deliberately not in the
 * graph: granting this is an act on the platform's own database, by someone who has it.
 * Runs as the identity worker role (users are global, not one tenant's rows).
 */
async function main([command, email]: string[]): Promise<number> {
  const { DATABASE_URL } = loadConfig('operator', z.object({ DATABASE_URL: z.string().url('must be a postgres:// URL') }));
  if (!['grant', 'revoke', 'list'].includes(command) || (command !== 'list' && !email)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const db = createDataSource({ databaseUrl: DATABASE_URL, schema: 'identity', role: 'worker', poolSize: 1 });
  await db.initialize();
  try {
    if (command === 'list') {
      const rows: Array<{ email: string; mfa_enabled: boolean }> = await db.query(
        `SELECT email, mfa_enabled FROM identity.users WHERE is_operator ORDER BY email`,
      );
      for (const row of rows) process.stdout.write(`${row.email}${row.mfa_enabled ? '' : '  (no MFA yet: cannot open support sessions)'}\n`);
      return 0;
    }
    const address = normaliseEmail(email);
    const updated: Array<{ email: string }> = await db.query(
      `WITH changed AS (UPDATE identity.users SET is_operator = $2 WHERE email = $1 RETURNING email) SELECT email FROM changed`,
      [address, command === 'grant'],
    );
    if (updated.length === 0) {
      process.stderr.write(`no user with email ${address}\n`);
      return 1;
    }
    process.stdout.write(`${command === 'grant' ? 'granted' : 'revoked'} platform operator: ${address}\n`);
    return 0;
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
