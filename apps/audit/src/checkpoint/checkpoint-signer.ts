import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { PrivateJwk } from '@compliance-graph/auth';
import { checkpointOrigin, signCheckpoint } from '@compliance-graph/audit-log';

export interface SignedTreeHead {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  body: string;
  signature: string;
  keyId: string;
}

/** Signs tenants' tree heads with the first configured audit key (the others stay published for rotation). */
export class CheckpointSigner {
  private readonly privateKey: KeyObject;
  readonly keyId: string;

  constructor(key: PrivateJwk) {
    this.privateKey = createPrivateKey({ key: key as never, format: 'jwk' });
    this.keyId = key.kid;
  }

  sign(tenantId: string, treeSize: number, rootHash: Buffer): SignedTreeHead {
    const origin = checkpointOrigin(tenantId);
    const signed = signCheckpoint({ origin, treeSize, rootHash }, this.privateKey);
    return { origin, treeSize, rootHash, ...signed, keyId: this.keyId };
  }
}
