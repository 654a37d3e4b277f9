import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { verifyAuditExport } from './audit-export';
import { VerificationFailure } from './failure';
import { verifyProofpack } from './proofpack';
import { TRUSTED_KEYS_QUERY, trustedKeysFromFile, trustedKeysFromGraph } from './trusted-keys';

const USAGE = `usage: npm run verify -- audit <export.ndjson> --checkpoint <checkpoint.json> --key <jwk.json>
       npm run verify -- proofpack <file.zip> (--keys <trusted-keys.json> | --graph <gateway URL>)

proofpack trusts only the keys it is given, never the pack's own:
  --keys   the gateway's answer to ${TRUSTED_KEYS_QUERY},
           saved once (any signed-in user may ask) and used offline from then on
  --graph  asks the gateway for its published keys, with the access token in CG_TOKEN`;

const OPTIONS = {
  checkpoint: { type: 'string' },
  key: { type: 'string' },
  keys: { type: 'string' },
  graph: { type: 'string' },
} as const;

type Options = Partial<Record<keyof typeof OPTIONS, string>>;

class UsageError extends Error {}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The options a command was given must be among its own. */
function onlyOptions(options: Options, allowed: ReadonlyArray<keyof Options>): void {
  const foreign = Object.keys(options).find((name) => !allowed.includes(name as keyof Options));
  if (foreign) throw new UsageError(`--${foreign} is not an option of this command`);
}

async function auditCommand(file: string, options: Options): Promise<number> {
  onlyOptions(options, ['checkpoint', 'key']);
  if (!options.checkpoint || !options.key) throw new UsageError('audit needs --checkpoint and --key');
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const verdict = await verifyAuditExport(lines, JSON.parse(readFileSync(options.checkpoint, 'utf8')), JSON.parse(readFileSync(options.key, 'utf8')));
  if (verdict.ok) {
    process.stdout.write(`ok, ${verdict.events} events${verdict.note ? ` (${verdict.note})` : ''}\n`);
    return 0;
  }
  process.stdout.write(`FAILED${verdict.seq === undefined ? '' : ` at seq ${verdict.seq}`}: ${verdict.failure}\n`);
  return 1;
}

async function proofpackCommand(file: string, options: Options): Promise<number> {
  onlyOptions(options, ['keys', 'graph']);
  if (Boolean(options.keys) === Boolean(options.graph)) throw new UsageError('proofpack needs one of --keys and --graph');
  const token = process.env.CG_TOKEN;
  if (options.graph && !token) throw new UsageError('--graph reads an access token from CG_TOKEN');
  const trusted = options.keys ? await trustedKeysFromFile(options.keys) : await trustedKeysFromGraph(options.graph!, token!);
  try {
    process.stdout.write(`${await verifyProofpack(file, trusted)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof VerificationFailure)) throw error;
    process.stdout.write(`FAILED: ${error.message}\n`);
    return 1;
  }
}

const COMMANDS = new Map([
  ['audit', auditCommand],
  ['proofpack', proofpackCommand],
]);

/** Exit 0: ok; 1: the first failure; 2: usage, or inputs beside the one verified that cannot be read. */
async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseCommandLine(argv);
    const [name, file, ...rest] = positionals;
    const command = COMMANDS.get(name);
    if (!command || !file || rest.length > 0) throw new UsageError('expected a command (audit or proofpack) and one file');
    return await command(file, values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
