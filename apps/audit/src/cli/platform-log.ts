import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { PLATFORM_TENANT_ID } from '@compliance-graph/auth';
import { checkpointOrigin, verifyCheckpoint } from '@compliance-graph/audit-log';
import { createDataSource, withTenant } from '@compliance-graph/db';
import { platformActor, platformAuditMessage } from '@compliance-graph/outbox';
import type { OperatorCommand } from '@compliance-graph/runtime';
import { latestCheckpoint } from '../checkpoint/checkpoint.store';
import { AuditEventEntity } from '../event/event.entity';
import { ndjsonLine } from '../export/export-format';
import { ExportService } from '../export/export.service';
import { ingestMetrics } from '../ingest/ingest.metrics';
import { IngestService } from '../ingest/ingest.service';
import { LogService } from '../log/log.service';

const PLATFORM_LOG = { tenantId: PLATFORM_TENANT_ID };
const TOOL = 'npm run operator';
const USAGE = 'audit list [--limit N] | audit export --out <file.ndjson> [--actor <name>] | audit verify --key <jwk.json>';
const MAX_LIST = 1000;

const say = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string) => {
  process.stderr.write(`${line}\n`);
  return 1;
};
const usage = (problem: string) => {
  process.stderr.write(`${problem}\nusage: npm run operator -- ${USAGE}\n`);
  return 2;
};

/** The platform log's latest records, oldest first; values printed as JSON, so no control character reaches the terminal. */
async function list(db: DataSource, limitText: string | undefined): Promise<number> {
  const limit = Number(limitText ?? 20);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST) return usage(`--limit must be an integer from 1 to ${MAX_LIST}`);
  const latest = await withTenant(db, PLATFORM_LOG, (tx) => tx.find(AuditEventEntity, { order: { seq: 'DESC' }, take: limit }));
  for (const event of latest.reverse()) {
    const { data, reason } = event.toExportRecord();
    say(`${event.seq}  ${event.occurredAt.toISOString()}  ${event.action}  ${event.subjectType} ${event.subjectId}  ${JSON.stringify({ ...data, ...(reason ? { reason } : {}) })}`);
  }
  say(`${latest.length} record(s) shown`);
  return 0;
}

/**
 * The platform log as tenants get theirs (NDJSON, the same export records), with its latest
 * signed checkpoint beside it, for `npm run verify -- audit`. The export is recorded in the
 * platform log before the file is written, as a tenant's export is in theirs.
 */
async function exportLog(db: DataSource, out: string, actorGiven: string | undefined): Promise<number> {
  const actor = platformActor(actorGiven);
  const exports = new ExportService(db);
  const plan = await exports.plan(PLATFORM_LOG, {});
  const { payload } = platformAuditMessage('audit', {
    action: 'audit.exported',
    subjectType: 'Platform',
    subjectId: PLATFORM_TENANT_ID,
    actor,
    tool: TOOL,
    data: { format: 'ndjson', ...plan },
  });
  await new IngestService(db, ingestMetrics(new Registry())).ingest([payload]);
  const partial = `${out}.partial`;
  const file = createWriteStream(partial, { flags: 'wx' });
  for await (const record of exports.records(PLATFORM_LOG, plan.treeSize, {})) {
    if (!file.write(ndjsonLine(record))) await once(file, 'drain');
  }
  file.end();
  await once(file, 'finish');
  await rename(partial, out);
  say(`exported ${plan.records} platform record(s) (tree size ${plan.treeSize}) to ${out}`);
  const checkpoint = await withTenant(db, PLATFORM_LOG, (tx) => latestCheckpoint(tx, PLATFORM_TENANT_ID, plan.treeSize));
  if (!checkpoint) {
    say('no signed checkpoint of the platform log yet: the audit service signs one every AUDIT_CHECKPOINT_INTERVAL_SECONDS');
    return 0;
  }
  const checkpointFile = `${out}.checkpoint.json`;
  const { rootHash, ...signed } = checkpoint;
  await writeFile(checkpointFile, `${JSON.stringify({ origin: checkpointOrigin(PLATFORM_TENANT_ID), ...signed, rootHash: rootHash.toString('hex') }, null, 2)}\n`);
  say(`checkpoint of size ${checkpoint.treeSize}, key ${checkpoint.keyId}: ${checkpointFile}`);
  say(`verify offline: npm run verify -- audit ${out} --checkpoint ${checkpointFile} --key <publicKeyJwk of audit key ${checkpoint.keyId}>`);
  return 0;
}

/**
 * Recomputes the whole platform log from its records (every leaf, every seq, every root it
 * ever signed) and checks its latest signed checkpoint with the given public key.
 */
async function verify(db: DataSource, keyFile: string): Promise<number> {
  let jwk: JsonWebKey & { kid?: string };
  let publicKey: KeyObject;
  try {
    jwk = JSON.parse(readFileSync(keyFile, 'utf8'));
    publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  } catch (error) {
    return usage(`--key must be a file holding the publicKeyJwk of an AuditPublicKey: ${(error as Error).message}`);
  }
  const verification = await new LogService(db).verify(PLATFORM_LOG);
  if (!verification.ok) return fail(`FAILED at seq ${verification.firstInvalidSeq}: the platform log does not recompute to what was stored and signed`);
  const checkpoint = await withTenant(db, PLATFORM_LOG, (tx) => latestCheckpoint(tx, PLATFORM_TENANT_ID, verification.treeSize));
  if (!checkpoint) return fail(`FAILED: the platform log (${verification.treeSize} records) has no signed checkpoint yet`);
  if (jwk.kid && jwk.kid !== checkpoint.keyId) return fail(`FAILED: the latest checkpoint names key ${checkpoint.keyId}, the key file is ${jwk.kid}`);
  const signed = verifyCheckpoint(checkpoint, publicKey);
  if (!signed) return fail(`FAILED: the checkpoint of size ${checkpoint.treeSize} does not verify with this key`);
  if (signed.origin !== checkpointOrigin(PLATFORM_TENANT_ID) || signed.treeSize !== checkpoint.treeSize || !signed.rootHash.equals(checkpoint.rootHash)) {
    return fail(`FAILED: the checkpoint of size ${checkpoint.treeSize} signs another log or root than the one stored`);
  }
  say(`ok: platform log of ${verification.eventsChecked} record(s) verifies; latest checkpoint (size ${checkpoint.treeSize}, key ${checkpoint.keyId}) verifies`);
  return 0;
}

const OPTIONS = { limit: { type: 'string' }, out: { type: 'string' }, key: { type: 'string' }, actor: { type: 'string' } } as const;

async function platformLog(db: DataSource, args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  const [action, ...extra] = positionals;
  const given = Object.keys(values);
  const only = (...allowed: string[]) => extra.length === 0 && given.every((name) => allowed.includes(name));
  if (action === 'list' && only('limit')) return list(db, values.limit);
  if (action === 'export' && only('out', 'actor') && values.out) return exportLog(db, values.out, values.actor);
  if (action === 'verify' && only('key') && values.key) return verify(db, values.key);
  return usage('expected audit list, audit export --out <file> or audit verify --key <file>');
}

/**
 * The platform audit log for operators: read as the audit app role scoped to the platform
 * origin (row-level security shows it nothing else), never with a signing key.
 */
export const auditOperatorCommands: Record<string, OperatorCommand> = {
  audit: {
    usage: USAGE,
    run: async (databaseUrl, args) => {
      const db = createDataSource({ databaseUrl, schema: 'audit', role: 'app', poolSize: 1, entities: [AuditEventEntity] });
      await db.initialize();
      try {
        return await platformLog(db, args);
      } finally {
        await db.destroy();
      }
    },
  },
};
