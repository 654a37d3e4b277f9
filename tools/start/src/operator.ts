// The app packages imported for their commands declare decorated classes, which need this first.
import 'reflect-metadata';
import { z } from 'zod';
import { auditOperatorCommands } from '@compliance-graph/audit';
import { loadConfig } from '@compliance-graph/config';
import { identityOperatorCommands } from '@compliance-graph/identity';

/**
 * `npm run operator`: platform operations on the database at DATABASE_URL (a user that may
 * become each service's roles, as for db:migrate). Each service contributes the commands on
 * its own data: identity the operators, MFA resets and its outbox; audit the platform log.
 */
const COMMANDS = { ...identityOperatorCommands, ...auditOperatorCommands };

const USAGE = `usage: ${Object.values(COMMANDS)
  .map((command) => `npm run operator -- ${command.usage}`)
  .join('\n       ')}`;

async function main([name, ...args]: string[]): Promise<number> {
  const command = Object.hasOwn(COMMANDS, name ?? '') ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { DATABASE_URL } = loadConfig('operator', z.object({ DATABASE_URL: z.string().url('must be a postgres:// URL') }));
  return command.run(DATABASE_URL, args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
