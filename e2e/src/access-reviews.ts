import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, withTenant } from '@compliance-graph/db';
import { IDENTITY_SCHEMA } from '@compliance-graph/identity';
import { ACCESS_REVIEW_COMPLETED_TOPIC, type AccessReviewCompleted } from '@compliance-graph/internal-api';
import { enqueue, type OutboxMessage } from '@compliance-graph/outbox';
import { admin, testDatabaseUrl } from '@compliance-graph/testing';

export const sha256Hex = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** A report as identity's access-review issue will build it: a header and one line per item. */
export const reportCsv = (items: number) =>
  [
    'item,subject,role_at_start,decision,new_role,justification,decided_by,decided_at',
    ...Array.from({ length: items }, (_, n) => `${n + 1},"member-${n}@example.test",MEMBER,KEEP,,"still on the team, ""core""",reviewer@example.test,2026-03-31T10:00:00.000Z`),
  ].join('\r\n');

/** A completed review of the tenant whose report matches its hash; `overrides` break what a test needs broken. */
export function completedReview(tenantId: string, completedBy: string, overrides: Partial<AccessReviewCompleted> = {}): AccessReviewCompleted {
  const csv = overrides.csv ?? reportCsv(3);
  return {
    reviewId: randomUUID(),
    tenantId,
    title: `Q1 access review ${randomUUID().slice(0, 8)}`,
    completedAt: new Date(Date.now() - 60_000).toISOString(),
    completedBy,
    csv,
    csvSha256: sha256Hex(csv),
    counts: { total: 3, kept: 3, revoked: 0, changed: 0, pending: 0 },
    ...overrides,
  };
}

/** The outbox message announcing it, as identity's outbox stores it. */
export const announcement = (review: AccessReviewCompleted): OutboxMessage<AccessReviewCompleted> => ({
  id: randomUUID(),
  topic: ACCESS_REVIEW_COMPLETED_TOPIC,
  tenantId: review.tenantId,
  occurredAt: new Date().toISOString(),
  payload: review,
});

/**
 * Identity's outbox as its relay and the operator CLI see it (the worker role, every tenant),
 * written with `enqueue` in a transaction of the message's tenant, as identity writes it.
 */
export class IdentityOutbox {
  readonly db: DataSource = createDataSource({ databaseUrl: testDatabaseUrl(), schema: IDENTITY_SCHEMA, role: 'worker', poolSize: 2 });

  async open(): Promise<this> {
    await this.db.initialize();
    return this;
  }

  close = () => this.db.destroy();

  async enqueue(message: OutboxMessage<AccessReviewCompleted>): Promise<void> {
    await withTenant(this.db, message.tenantId, (tx) => enqueue(tx, IDENTITY_SCHEMA, message));
  }

  /** Waits until the relay delivered the message (or set it aside as dead) and answers which. */
  async settled(messageId: string, timeoutMs = 30_000): Promise<'delivered' | 'dead'> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await admin().query<{ delivered: boolean; dead: boolean }>(
        `SELECT delivered_at IS NOT NULL AS delivered, dead_at IS NOT NULL AS dead FROM identity.outbox WHERE id = $1`,
        [messageId],
      );
      if (rows[0]?.delivered) return 'delivered';
      if (rows[0]?.dead) return 'dead';
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { rows } = await admin().query(`SELECT attempts, refusals, last_error FROM identity.outbox WHERE id = $1`, [messageId]);
    throw new Error(`message ${messageId} was neither delivered nor set aside within ${timeoutMs / 1000} s: ${JSON.stringify(rows[0])}`);
  }

  /** Enqueues and waits for the relay's delivery. */
  async deliver(message: OutboxMessage<AccessReviewCompleted>): Promise<'delivered' | 'dead'> {
    await this.enqueue(message);
    return this.settled(message.id);
  }
}

/** A review of the tenant, completed by `completedBy`, whose report evidence has recorded; answers the review's id. */
export async function recordedAccessReview(tenantId: string, completedBy: string, reviewId?: string): Promise<string> {
  const outbox = await new IdentityOutbox().open();
  try {
    const review = completedReview(tenantId, completedBy, reviewId ? { reviewId } : {});
    const outcome = await outbox.deliver(announcement(review));
    if (outcome !== 'delivered') throw new Error(`the report of review ${review.reviewId} was ${outcome}`);
    return review.reviewId;
  } finally {
    await outbox.close();
  }
}
