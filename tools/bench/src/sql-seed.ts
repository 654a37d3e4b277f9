import { randomUUID } from 'node:crypto';
import type { ClientBase, Pool } from 'pg';
import { auditRecord, ingestBody, postBatch } from './audit-api';
import type { gatewayGraphql } from './gateway-graphql';
import type { HttpClient } from './http-client';
import { LIST_CAPS } from './sql-lists';

/** The superuser's connection or pool: the bulk goes straight into the schemas. */
type Sql = ClientBase | Pool;

/** How many rows each list of a seeded tenant holds. */
export interface TenantShape {
  /** MEMBER memberships (with their users), and as many API keys. */
  members: number;
  evidence: number;
  decisionsPerEvidence: number;
  /** Register entries, each with one change in effect. */
  register: number;
  objectionsPerChange: number;
  /** The owner's webhook subscriptions, each with a delivery of every announcement. */
  webhooks: number;
  /** Audit events on every membership and evidence item. */
  eventsPerSubject: number;
}

/** Every list `size` long (decisions at most LIST_CAPS'): what the SQL bench compares across sizes. */
export const sizedShape = (size: number): TenantShape => ({
  members: size,
  evidence: size,
  decisionsPerEvidence: Math.min(size, LIST_CAPS['Evidence.decisions']),
  register: size,
  objectionsPerChange: size,
  webhooks: size,
  eventsPerSubject: size,
});

/** What the canonical operations name: the tenant's owner (who runs them) and the ids they take. */
export interface SeededTenant {
  id: string;
  slug: string;
  ownerEmail: string;
  ownerPassword: string;
  ownerToken: string;
  evidenceId: string;
  accessReviewId: string;
}

const DAY_MS = 86_400_000;
const INGEST_BATCH = 1000;
const ANNOUNCED = 'subprocessor.change_announced';

/**
 * N memberships (and users) and N API keys of the tenant, as the superuser: the members list,
 * the access review's items and the partners who object.
 */
async function seedPeople(db: Sql, tenantId: string, ownerId: string, tag: string, size: number) {
  await db.query(
    `WITH u AS (INSERT INTO identity.users (email, display_name, last_login_at)
                SELECT 'm' || g || '@' || $2 || '.example', 'Member ' || g, now() - interval '3 days' FROM generate_series(1, $3::int) g RETURNING id)
     INSERT INTO identity.memberships (tenant_id, user_id, role, last_sign_in_at) SELECT $1, id, 'MEMBER', now() - interval '3 days' FROM u`,
    [tenantId, tag, size],
  );
  await db.query(
    `INSERT INTO identity.api_keys (id, tenant_id, name, role, prefix, secret_hash, created_by, expires_at)
     SELECT gen_random_uuid(), $1, 'Key ' || g, 'AUDITOR', 'cgk_' || $2 || '_' || g, sha256(($2 || g)::bytea), $3, now() + interval '90 days'
       FROM generate_series(1, $4::int) g`,
    [tenantId, tag, ownerId, size],
  );
}

/** `items` evidence items, each APPROVED with one revision (its upload claimed) and `decisions` decisions. */
async function seedEvidence(db: Sql, tenantId: string, memberId: string, ownerId: string, items: number, decisions: number) {
  await db.query(
    `WITH e AS (
       INSERT INTO evidence.evidence (tenant_id, title, description, control_refs, source_kind, source_ref, collected_at, valid_until, status, created_by)
       SELECT $1, 'Evidence ' || g, 'Seeded item ' || g, ARRAY['SOC2:CC6.1'], 'UPLOAD', 'item-' || g || '.pdf', now() - interval '30 days', now() + interval '300 days', 'APPROVED', $2
         FROM generate_series(1, $4::int) g RETURNING id
     ), up AS (
       INSERT INTO evidence.uploads (id, tenant_id, uploaded_by, sha256, size_bytes, content_type, file_name, claimed_at)
       SELECT gen_random_uuid(), $1, $2, encode(sha256(e.id::text::bytea), 'hex'), 65536, 'application/pdf', 'item.pdf', now() FROM e RETURNING id, sha256
     ), rev AS (
       INSERT INTO evidence.revisions (id, tenant_id, evidence_id, version, upload_id, sha256, size_bytes, content_type, file_name, uploaded_at, uploaded_by)
       SELECT gen_random_uuid(), $1, e.id, 1, up.id, up.sha256, 65536, 'application/pdf', 'item.pdf', now() - interval '29 days', $2
         FROM e JOIN up ON up.sha256 = encode(sha256(e.id::text::bytea), 'hex')
     )
     INSERT INTO evidence.decisions (id, tenant_id, evidence_id, revision_version, decision, rationale, decided_at, decided_by)
     SELECT gen_random_uuid(), $1, e.id, 1, 'APPROVE', 'Complete, decision ' || d, now() - make_interval(secs => $5::int - d), $3
       FROM e, generate_series(1, $5::int) d`,
    [tenantId, memberId, ownerId, items, decisions],
  );
}

/**
 * Register entries, each ADDED and in effect, announced by an event whose id the change names
 * (the audit log gets those events afterwards); objections on each change, one per member;
 * webhook subscriptions of the owner, each with a delivery of every announcement.
 */
async function seedRegister(db: Sql, tenantId: string, ownerId: string, shape: TenantShape): Promise<void> {
  const { rows } = await db.query<{ event_id: string }>(
    `WITH s AS (INSERT INTO subprocessors.subprocessors (tenant_id) SELECT $1 FROM generate_series(1, $2::int) RETURNING id),
          numbered AS (SELECT id, row_number() OVER () AS n FROM s)
     INSERT INTO subprocessors.changes (id, tenant_id, subprocessor_id, kind, status, after, announced_at, effective_at, objection_deadline, announced_by_kind, announced_by, announcement_event_id)
     SELECT gen_random_uuid(), $1, id, 'ADDED', 'EFFECTIVE',
            jsonb_build_object('name', 'Processor ' || n, 'legalEntity', 'Processor ' || n || ' GmbH', 'website', 'https://processor-' || n || '.example',
              'purpose', 'Hosting', 'dataCategories', jsonb_build_array('contact data'), 'locations', jsonb_build_array('DE', 'IE'), 'transferMechanism', 'SCC'),
            now() - interval '60 days', now() - interval '30 days', now() - interval '31 days', 'USER', $3, gen_random_uuid()
       FROM numbered RETURNING announcement_event_id AS event_id`,
    [tenantId, shape.register, ownerId],
  );
  await db.query(
    `INSERT INTO subprocessors.objections (id, tenant_id, change_id, partner_kind, partner_id, partner_name, reason, created_at)
     SELECT gen_random_uuid(), $1, c.id, 'USER', m.user_id, 'Partner ' || m.user_id, 'We object', now() - interval '40 days'
       FROM subprocessors.changes c, (SELECT user_id FROM identity.memberships WHERE tenant_id = $1 AND role = 'MEMBER' LIMIT $2) m
      WHERE c.tenant_id = $1`,
    [tenantId, shape.objectionsPerChange],
  );
  await db.query(
    `WITH sub AS (
       INSERT INTO subprocessors.webhook_subscriptions (id, tenant_id, owner_kind, owner_id, url, event_types, secret_sealed, created_at)
       SELECT gen_random_uuid(), $1, 'USER', $2, 'https://hooks-' || g || '.example/notices', ARRAY[$4], 'sealed', now() - interval '90 days'
         FROM generate_series(1, $3::int) g RETURNING id
     ), fan AS (
       INSERT INTO subprocessors.webhook_fanouts (event_id, tenant_id, deliveries) SELECT unnest($5::uuid[]), $1, $3
     )
     INSERT INTO subprocessors.webhook_deliveries (id, tenant_id, subscription_id, event_id, event_type, attempt, attempted_at, outcome, http_status, duration_ms)
     SELECT gen_random_uuid(), $1, sub.id, e.id, $4, 1, now() - interval '59 days' + make_interval(secs => e.n), 'DELIVERED', 204, 12
       FROM sub, unnest($5::uuid[]) WITH ORDINALITY e(id, n)`,
    [tenantId, ownerId, shape.webhooks, ANNOUNCED, rows.map((row) => row.event_id)],
  );
}

/**
 * The tenant's audit log through the audit service's ingest route, as identity's relay POSTs
 * it (so leaf hashes and the tree are the service's own): N events on every membership and
 * evidence item, and each change's announcement.
 */
async function seedAuditLog(ingest: HttpClient, db: Sql, tenantId: string, ownerId: string, eventsPerSubject: number) {
  const { rows: subjects } = await db.query<{ type: string; id: string }>(
    `SELECT 'Membership' AS type, id::text FROM identity.memberships WHERE tenant_id = $1
     UNION ALL SELECT 'Evidence', id::text FROM evidence.evidence WHERE tenant_id = $1`,
    [tenantId],
  );
  const record = (subjectType: string, subjectId: string, action: string, id: string = randomUUID()) => ({
    ...auditRecord(tenantId),
    id,
    action,
    actorId: ownerId,
    subjectType,
    subjectId,
    service: 'identity',
  });
  const { rows: changes } = await db.query<{ id: string; event_id: string }>(
    'SELECT id, announcement_event_id AS event_id FROM subprocessors.changes WHERE tenant_id = $1',
    [tenantId],
  );
  const records = [
    ...subjects.flatMap(({ type, id }) => Array.from({ length: eventsPerSubject }, () => record(type, id, `${type.toLowerCase()}.updated`))),
    ...changes.map((change) => record('SubprocessorChange', change.id, ANNOUNCED, change.event_id)),
  ];
  for (let at = 0; at < records.length; at += INGEST_BATCH) {
    const batch = records.slice(at, at + INGEST_BATCH);
    const error = await postBatch(ingest, ingestBody(batch), batch.length);
    if (error !== undefined) throw new Error(`appending ${batch.length} audit events: ${error}`);
  }
}

/**
 * A tenant of `shape` under `slug`: signed up, its schedule set and an access review started
 * through the gateway (the service's own logic builds the items), the bulk written straight
 * into the schemas, the audit log through ingest.
 */
export async function seedTenant(
  graphql: ReturnType<typeof gatewayGraphql>,
  db: Sql,
  ingest: HttpClient,
  slug: string,
  shape: TenantShape,
): Promise<SeededTenant> {
  const ownerEmail = `owner@${slug}.example`;
  const ownerPassword = `bench password ${slug}`;
  const signedUp = await graphql('mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken tenant { id } } }', {
    i: { tenantSlug: slug, tenantName: `Bench ${slug}`, email: ownerEmail, password: ownerPassword, displayName: 'Bench owner' },
  });
  const { accessToken: ownerToken, tenant } = signedUp.signUp;
  const tenantId: string = tenant.id;
  const { rows } = await db.query<{ user_id: string }>(`SELECT user_id FROM identity.memberships WHERE tenant_id = $1 AND role = 'OWNER'`, [tenantId]);
  const ownerId = rows[0].user_id;
  await seedPeople(db, tenantId, ownerId, slug, shape.members);
  const { rows: members } = await db.query<{ user_id: string }>(`SELECT user_id FROM identity.memberships WHERE tenant_id = $1 AND role = 'MEMBER' LIMIT 1`, [tenantId]);
  await graphql('mutation { setAccessReviewSchedule(intervalDays: 90, dueDays: 14, defaultAction: NONE) { intervalDays } }', {}, ownerToken);
  const review = await graphql('mutation ($t: String!, $d: DateTime!) { startAccessReview(title: $t, dueAt: $d) { id } }', { t: `Review of ${slug}`, d: new Date(Date.now() + 14 * DAY_MS).toISOString() }, ownerToken);
  const accessReviewId: string = review.startAccessReview.id;
  await db.query(
    `UPDATE identity.access_review_items SET decision = 'KEEP', justification = 'still needed', decided_by = $2, decided_at = now() WHERE review_id = $1`,
    [accessReviewId, ownerId],
  );
  await seedEvidence(db, tenantId, members[0].user_id, ownerId, shape.evidence, shape.decisionsPerEvidence);
  await seedRegister(db, tenantId, ownerId, shape);
  await seedAuditLog(ingest, db, tenantId, ownerId, shape.eventsPerSubject);
  await db.query('ANALYZE');
  const { rows: evidence } = await db.query<{ id: string }>('SELECT id FROM evidence.evidence WHERE tenant_id = $1 LIMIT 1', [tenantId]);
  return { id: tenantId, slug, ownerEmail, ownerPassword, ownerToken, evidenceId: evidence[0].id, accessReviewId };
}
