import { SubprocessorChangeEntity } from './change/change.entity';
import { SubprocessorObjectionEntity } from './objection/objection.entity';
import { SubprocessorRecord } from './subprocessor/subprocessor.entity';
import { WebhookDeliveryEntity } from './webhook/webhook-delivery.entity';
import { WebhookSubscriptionEntity } from './webhook/webhook-subscription.entity';

/** The tables of the subprocessors schema, as TypeORM maps them. */
export const subprocessorsEntities = [SubprocessorRecord, SubprocessorChangeEntity, SubprocessorObjectionEntity, WebhookSubscriptionEntity, WebhookDeliveryEntity];
