import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, Kind, parse, print, separateOperations, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { Client } from 'pg';
import { INGEST_PATH } from './audit-api';
import { step, type BenchContext } from './bench';
import { gatewayGraphql } from './gateway-graphql';
import { httpClient } from './http-client';
import { startPlatform } from './platform';
import { startBenchPostgres } from './postgres';
import { elapsedMs } from './stats';
import { seedTenant, sizedShape, type SeededTenant } from './sql-seed';
import { shortLists } from './sql-lists';

/** The repository root, at the same depth from src/ and dist/. */
const ROOT = resolve(__dirname, '../../..');
/** The frontend's canonical operations: every paginated field at its largest page. */
export const CANONICAL_QUERIES = resolve(ROOT, 'packages/edge/test/canonical-queries.graphql');

/** The variables an operation of the fixture takes, from the tenant seeded for it. */
const VARIABLES: Record<string, (tenant: SeededTenant) => Record<string, unknown>> = {
  EvidenceAuditTrail: (tenant) => ({ id: tenant.evidenceId }),
  AccessReviewItems: (tenant) => ({ id: tenant.accessReviewId }),
};

/** The cheapest authenticated request: it only has the gateway check (and cache) the token's session. */
const SESSION_PRIMER = '{ __typename }';

/** Problems named per answer: one short list is enough to know, a thousand would bury the table. */
const PROBLEMS_SHOWN = 3;

export interface OperationCount {
  operation: string;
  /** Statements the services ran for one call, by list size: the fewest of the measured runs. */
  statements: Record<number, number>;
  /** The fastest run's time through the gateway, by list size. */
  fastestMs: Record<number, number>;
}

/** The operations whose count at a larger size exceeds the count at the next smaller one. */
export function growing(rows: OperationCount[], sizes: number[]): string[] {
  const ascending = [...sizes].sort((a, b) => a - b);
  return rows.flatMap((row) =>
    ascending.slice(1).flatMap((size, n) => {
      const smaller = ascending[n];
      return row.statements[size] > row.statements[smaller]
        ? [`${row.operation}: ${row.statements[smaller]} statements at ${smaller} rows, ${row.statements[size]} at ${size}`]
        : [];
    }),
  );
}

/**
 * For each size, a tenant whose every list holds that many rows, and each canonical operation
 * run through the gateway as its OWNER: once to warm the caches and check the answer, then
 * `runs` times counting the services' statements (pg_stat_statements, reset before each run).
 * The gateway checks a token's session at a request's start, cached for 5 s: a cheap request
 * right before each counted run refreshes it, so a run slower than that (a page of 200 with 200
 * rows in each node) is not charged the next one. The fewest of the runs is kept, since a cached
 * directory answer (tenant settings, 5 s) may still be refreshed in one: neither is the operation's own.
 */
export async function measureOperations(
  { sizes, runs }: { sizes: number[]; runs: number },
  { onStop, progress }: Pick<BenchContext, 'onStop' | 'progress'>,
): Promise<{ rows: OperationCount[]; failures: string[]; postgres: string }> {
  const schema = buildSchema(readFileSync(resolve(ROOT, 'schema.graphql'), 'utf8'));
  const document = parse(readFileSync(CANONICAL_QUERIES, 'utf8'));
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const operations = Object.entries(separateOperations(document)).map(([name, separated]) => ({
    name,
    text: print(separated),
    definition: separated.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!,
  }));

  const postgres = await step('starting PostgreSQL', startBenchPostgres);
  onStop(postgres.stop);
  const ingestToken = randomBytes(32).toString('base64url');
  // Nothing in the background while statements are counted: relays, checkpoints, schedulers, the collector.
  const stack = await step('starting the platform', () =>
    startPlatform(postgres, {
      INTERNAL_SERVICE_TOKEN: ingestToken,
      OUTBOX_RELAY: 'off',
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
      ACCESS_REVIEW_SCHEDULER_INTERVAL_SECONDS: '0',
      CHANGE_SCHEDULER_INTERVAL_MS: '0',
      UPLOAD_COLLECTOR_INTERVAL_SECONDS: '0',
    }),
  );
  onStop(stack.stop);
  const graphql = gatewayGraphql(stack.gatewayUrl);
  // Identity's credential (the one the platform was given): the records say service "identity".
  const ingest = httpClient(`${stack.subgraphUrls.audit}${INGEST_PATH}`, 1, { authorization: `Bearer ${ingestToken}` });
  onStop(async () => ingest.close());
  const db = new Client({ connectionString: postgres.url });
  await db.connect();
  onStop(() => db.end());
  const tag = randomBytes(4).toString('hex');

  const counts = new Map(operations.map(({ name }) => [name, {} as Record<number, number>]));
  const times = new Map(operations.map(({ name }) => [name, {} as Record<number, number>]));
  const failures: string[] = [];
  for (const size of sizes) {
    progress(`seeding a tenant of ${size} rows per list`);
    const tenant = await step(`seeding the tenant of ${size}`, () => seedTenant(graphql, db, ingest, `sql-${tag}-${size}`, sizedShape(size)));
    for (const { name, text, definition } of operations) {
      progress(`${name} at ${size}`);
      const variables = VARIABLES[name]?.(tenant) ?? {};
      try {
        const data = await graphql(text, variables, tenant.ownerToken);
        const problems = shortLists(schema, fragments, definition.selectionSet, data, size);
        if (problems.length > 0) failures.push(`${name} at ${size}: ${problems.slice(0, PROBLEMS_SHOWN).join('; ')}${problems.length > PROBLEMS_SHOWN ? ` (and ${problems.length - PROBLEMS_SHOWN} more)` : ''}`);
        let fewest = Infinity;
        let fastestMs = Infinity;
        for (let run = 0; run < runs; run++) {
          await graphql(SESSION_PRIMER, {}, tenant.ownerToken);
          await postgres.resetSql();
          const started = process.hrtime.bigint();
          await graphql(text, variables, tenant.ownerToken);
          fastestMs = Math.min(fastestMs, elapsedMs(started));
          fewest = Math.min(fewest, (await postgres.readSql()).statements);
        }
        counts.get(name)![size] = fewest;
        times.get(name)![size] = fastestMs;
      } catch (error) {
        failures.push(`${name} at ${size}: ${error instanceof Error ? error.message : String(error)}`);
        counts.get(name)![size] = NaN;
        times.get(name)![size] = NaN;
      }
    }
  }
  const rows = operations.map(({ name }) => ({ operation: name, statements: counts.get(name)!, fastestMs: times.get(name)! }));
  return { rows, failures, postgres: `PostgreSQL ${postgres.version}, ${postgres.description}` };
}
