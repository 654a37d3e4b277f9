import { MANAGERS, NOTICE_READERS, allow, belongsToCallerTenant, chain, guard, hasRole, isAuthenticated, type RuleTree } from '@compliance-graph/auth';
import { maySee } from './webhook/webhook.service';
import type { WebhookSubscriptionEntity } from './webhook/webhook-subscription.entity';

/** Partners manage their own subscriptions; OWNER and ADMIN all of the tenant's (the service filters by owner). */
const managesWebhooks = hasRole('PARTNER', 'OWNER', 'ADMIN');

/** A subscription is shown to its owner and to OWNER and ADMIN of its tenant only. */
const maySeeWebhookSubscription = guard(
  'maySeeWebhookSubscription',
  (parent: WebhookSubscriptionEntity | null, _a, ctx) => Boolean(ctx.principal && parent && maySee(ctx.principal, parent)),
  'no_cache',
);

/** A change's proof of notice, for the roles that read it, in the change's tenant. */
const readsNotice = chain(belongsToCallerTenant, hasRole(...NOTICE_READERS));

/** The rule tree of the subprocessors subgraph: one entry per root field and per type. */
export const subprocessorsRules: RuleTree = {
  Query: {
    // Every role in the tenant, PARTNER included: partners read the register they may object to.
    subprocessors: isAuthenticated,
    subprocessor: isAuthenticated,
    subprocessorChanges: isAuthenticated,
    webhookSubscriptions: managesWebhooks,
  },
  Mutation: {
    announceSubprocessorChange: hasRole(...MANAGERS),
    cancelSubprocessorChange: hasRole(...MANAGERS),
    objectToSubprocessorChange: hasRole('PARTNER'),
    createWebhookSubscription: managesWebhooks,
    deleteWebhookSubscription: managesWebhooks,
  },
  Subprocessor: belongsToCallerTenant,
  SubprocessorChange: { '*': belongsToCallerTenant, notice: readsNotice },
  SubprocessorChangeNotice: readsNotice,
  // Reached only through a notice the caller may read.
  SubprocessorNoticeDelivery: isAuthenticated,
  // Which objections a caller sees is the objections loader's: all for staff, its own for a partner.
  SubprocessorObjection: belongsToCallerTenant,
  WebhookSubscription: maySeeWebhookSubscription,
  // Reached only through a subscription the caller may see, or the creation that returns it.
  CreatedWebhookSubscription: isAuthenticated,
  WebhookDeliveryConnection: isAuthenticated,
  WebhookDelivery: isAuthenticated,
  PageInfo: allow,
};
