import { createHmac, randomBytes } from 'node:crypto';
import { openSecret, sealSecret } from '@compliance-graph/auth';

/** `whsec_` and 256 random bits; the receiver uses the whole string as the HMAC key. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** Bound to its subscription: a sealed secret copied to another row does not open. */
const contextOf = (subscriptionId: string) => `webhook:${subscriptionId}`;

export const sealWebhookSecret = (key: Buffer, subscriptionId: string, secret: string) => sealSecret(key, secret, contextOf(subscriptionId));

export const openWebhookSecret = (key: Buffer, subscriptionId: string, sealed: string) => openSecret(key, sealed, contextOf(subscriptionId));

/** The X-Signature header's value: `sha256=` and the hex HMAC-SHA256 of the exact body bytes. */
export const signatureOf = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
