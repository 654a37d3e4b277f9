import { randomUUID } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import { ADMINS, badUserInput, conflict, forbidden, notFound, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import { recordAudit, type Caller } from '@compliance-graph/outbox';
import { SUBPROCESSOR_EVENT_TYPES } from '../subprocessor-event';
import type { AddressPolicy } from './webhook-address';
import { newWebhookSecret, sealWebhookSecret } from './webhook-secret';
import { WebhookSubscriptionEntity, type WebhookOwnerKind } from './webhook-subscription.entity';
import { lockOwner } from './webhook.store';
import { checkWebhookUrl } from './webhook-url';
import { CreatedWebhookSubscription } from './webhook.types';

/** Most live subscriptions one owner (a partner's API key or membership) may have. */
export const MAX_SUBSCRIPTIONS_PER_OWNER = 10;

const SERVICE = { schema: 'subprocessors', name: 'subprocessors' };
const EVENT_TYPES: ReadonlySet<string> = new Set(SUBPROCESSOR_EVENT_TYPES);

/** Who owns what a principal creates; only members and API keys own subscriptions. */
function ownerOf(principal: Principal): { kind: WebhookOwnerKind; id: string } {
  if (principal.kind !== 'USER' && principal.kind !== 'API_KEY') throw forbidden();
  return { kind: principal.kind, id: principal.subjectId };
}

/** OWNER and ADMIN see every subscription of the tenant; a partner only those it created. */
export function maySee(principal: Principal, subscription: Pick<WebhookSubscriptionEntity, 'tenantId' | 'ownerKind' | 'ownerId'>): boolean {
  if (subscription.tenantId !== principal.tenantId) return false;
  if (ADMINS.includes(principal.role)) return true;
  return subscription.ownerKind === principal.kind && subscription.ownerId === principal.subjectId;
}

function checkEventTypes(eventTypes: readonly string[]): string[] {
  if (eventTypes.length === 0) throw badUserInput('eventTypes must name at least one event type');
  eventTypes.forEach((type, n) => {
    if (!EVENT_TYPES.has(type)) throw badUserInput(`eventTypes[${n}] must be one of ${SUBPROCESSOR_EVENT_TYPES.join(', ')}`);
    if (eventTypes.indexOf(type) !== n) throw badUserInput(`eventTypes[${n}] repeats ${type}`);
  });
  return [...eventTypes];
}

export class WebhookService {
  constructor(
    private readonly db: DataSource,
    private readonly secretKey: Buffer,
    private readonly addresses: AddressPolicy,
  ) {}

  /** Validates everything before the transaction, so bad input changes nothing. */
  async create(principal: Principal, caller: Caller, url: string, eventTypes: readonly string[]): Promise<CreatedWebhookSubscription> {
    const owner = ownerOf(principal);
    const types = checkEventTypes(eventTypes);
    const href = await checkWebhookUrl(url, this.addresses);
    const secret = newWebhookSecret();
    return withTenant(this.db, principal, async (tx) => {
      await lockOwner(tx, principal.tenantId, owner.kind, owner.id);
      const live = await tx.countBy(WebhookSubscriptionEntity, { ownerKind: owner.kind, ownerId: owner.id, deletedAt: IsNull() });
      if (live >= MAX_SUBSCRIPTIONS_PER_OWNER) throw conflict(`at most ${MAX_SUBSCRIPTIONS_PER_OWNER} webhook subscriptions per partner; delete one first`);
      const id = randomUUID();
      const subscription = tx.create(WebhookSubscriptionEntity, {
        id,
        tenantId: principal.tenantId,
        ownerKind: owner.kind,
        ownerId: owner.id,
        url: href,
        eventTypes: types,
        secretSealed: sealWebhookSecret(this.secretKey, id, secret),
        createdAt: new Date(),
        deletedAt: null,
      });
      await tx.insert(WebhookSubscriptionEntity, subscription);
      await recordAudit(tx, SERVICE, caller, {
        tenantId: principal.tenantId,
        action: 'webhook.subscription_created',
        subjectType: 'WebhookSubscription',
        subjectId: id,
        // The origin and path name the receiver; a query string may carry the receiver's own token.
        data: { url: auditableUrl(href), eventTypes: types, ownerKind: owner.kind, ownerId: owner.id },
      });
      subscription.secretSealed = null;
      return Object.assign(new CreatedWebhookSubscription(), { subscription, secret });
    });
  }

  /** The live subscriptions the caller may see, oldest first. */
  list(principal: Principal): Promise<WebhookSubscriptionEntity[]> {
    return withTenant(this.db, principal, async (tx) => {
      const query = tx.createQueryBuilder(WebhookSubscriptionEntity, 's').where('s.deletedAt IS NULL');
      if (!ADMINS.includes(principal.role)) {
        query.andWhere('s.ownerKind = :kind AND s.ownerId = :id', { kind: principal.kind, id: principal.subjectId });
      }
      return query.orderBy('s.createdAt', 'ASC').addOrderBy('s.id', 'ASC').getMany();
    });
  }

  /** Another partner's subscription, another tenant's and an unknown id all answer NOT_FOUND. */
  async delete(principal: Principal, caller: Caller, id: string): Promise<boolean> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return withTenant(this.db, principal, async (tx) => {
      const subscription = await tx.findOne(WebhookSubscriptionEntity, { where: { id, deletedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!subscription || !maySee(principal, subscription)) throw notFound('No such webhook subscription');
      await tx.update(WebhookSubscriptionEntity, { id }, { deletedAt: new Date(), secretSealed: null });
      await recordAudit(tx, SERVICE, caller, {
        tenantId: principal.tenantId,
        action: 'webhook.subscription_deleted',
        subjectType: 'WebhookSubscription',
        subjectId: id,
        data: { url: auditableUrl(subscription.url), ownerKind: subscription.ownerKind, ownerId: subscription.ownerId },
      });
      return true;
    });
  }
}

function auditableUrl(href: string): string {
  const url = new URL(href);
  return `${url.origin}${url.pathname}`;
}
