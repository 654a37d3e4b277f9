import { Transform, type TransformCallback } from 'node:stream';
import { CodedError, ErrorCode } from '@compliance-graph/auth';

/**
 * Passes a body through while counting the bytes that actually arrive, and fails with
 * PAYLOAD_TOO_LARGE on the first chunk past the limit: a chunked body declares no length, and a
 * declared one is only a claim.
 */
export class ByteLimit extends Transform {
  private received = 0;

  constructor(private readonly limitBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.limitBytes) callback(new CodedError(ErrorCode.PAYLOAD_TOO_LARGE));
    else callback(null, chunk);
  }
}
