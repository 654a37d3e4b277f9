import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { verifyAuditExport } from './audit-export';

const USAGE = 'usage: npm run verify -- audit <export.ndjson> --checkpoint <checkpoint.json> --key <jwk.json>';

/** Exit 0: "ok, N events"; 1: the first failure; 2: usage. */
async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { checkpoint: { type: 'string' }, key: { type: 'string' } } });
  } catch {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const [kind, file] = parsed.positionals;
  const { checkpoint: checkpointFile, key: keyFile } = parsed.values;
  if (kind !== 'audit' || !file || !checkpointFile || !keyFile || parsed.positionals.length !== 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const verdict = await verifyAuditExport(lines, JSON.parse(readFileSync(checkpointFile, 'utf8')), JSON.parse(readFileSync(keyFile, 'utf8')));
  if (verdict.ok) {
    process.stdout.write(`ok, ${verdict.events} events${verdict.note ? ` (${verdict.note})` : ''}\n`);
    return 0;
  }
  process.stdout.write(`FAILED${verdict.seq === undefined ? '' : ` at seq ${verdict.seq}`}: ${verdict.failure}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
