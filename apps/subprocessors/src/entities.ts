import { SubprocessorEntity } from './subprocessor/subprocessor.entity';
import { WebhookDeliveryEntity } from './webhook/webhook-delivery.entity';
import { WebhookSubscriptionEntity } from './webhook/webhook-subscription.entity';

export const subprocessorsEntities = [SubprocessorEntity, WebhookSubscriptionEntity, WebhookDeliveryEntity];
